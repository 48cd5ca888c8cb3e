"""The ground truth of a simulated day, written as JSON for tests and the alert-quality benchmark."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from services.simulator.scenario import Day, StationTruth


def station_json(t: StationTruth) -> dict[str, Any]:
    out = asdict(t)
    out["irregularities"] = [i.value for i in t.irregularities]
    if t.protocol is not None:
        out["protocol"]["votes"] = dict(t.protocol.votes)
    return out


def region_totals(day: Day) -> dict[str, dict[str, int]]:
    """Registered voters and ballots issued per region, as far as the monitors reported."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"stations": 0, "registered": 0, "issued": 0})
    for t in day.truth.values():
        region = totals[t.region_id]
        region["stations"] += 1
        region["registered"] += t.registered_voters
        region["issued"] += t.ballots_issued
    return dict(sorted(totals.items()))


def truth_json(day: Day, run_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "opening": day.opening.isoformat(),
        "closing": day.closing.isoformat(),
        "reports_planned": len(day.reports),
        "stations": {sid: station_json(t) for sid, t in sorted(day.truth.items())},
        "regions": region_totals(day),
    }
