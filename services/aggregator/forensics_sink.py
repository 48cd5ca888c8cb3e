"""The forensics table: live figures per region ('' national) as JSON, upserted by time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from services.aggregator.sink import Conn
from services.forensics.live_figures import IntegerTest, LiveSnapshot, ScopeFigures
from services.forensics.region_screen import ScreenStatus

METHOD = (
    "integer percentages (Kobak, Shpilkin & Pshenichnikov 2016 filters); null: exact per-station "
    "binomial hit probabilities, tail by the refined normal approximation"
)

Row = tuple[str, datetime, int, str, str]


def _test(test: IntegerTest) -> dict[str, Any]:
    return {
        "observed": test.observed,
        "expected": round(test.expected, 3),
        "std": round(test.std, 3),
        "excess": round(test.excess, 3),
        "z": round(test.z, 3),
        "p_value": test.p_value,
    }


def summary(scope: ScopeFigures, leader: str | None, threshold: float, min_stations: int) -> dict[str, Any]:
    """The summary figures of one scope, as stored and served.

    ``screen`` is the scope under the region screen's rule; nationally, ``regions`` lists
    every region at or above the threshold (flagged, or with too few protocols tested)
    and ``regions_counted`` how many regions have protocols, the figures the command
    line's region screen prints."""
    status = scope.status(threshold, min_stations)
    above = sorted(
        (r for r in scope.regions if r.status(threshold, min_stations) is not ScreenStatus.BELOW_THRESHOLD),
        key=lambda r: -r.z,
    )
    return {
        "leader": leader,
        "stations": scope.stations,
        "tested": scope.tested,
        "turnout_pct": round(scope.turnout_pct, 4),
        "leader_share_pct": round(scope.leader_share_pct, 4),
        "integer": {
            "either": _test(scope.either),
            "turnout": _test(scope.turnout),
            "leader_share": _test(scope.share),
        },
        "threshold_z": threshold,
        "min_stations": min_stations,
        "significant": status is ScreenStatus.FLAGGED,
        "screen": status.value,
        "regions": [
            {
                "region": r.region,
                "tested": r.tested,
                "z": round(r.z, 3),
                "screen": r.status(threshold, min_stations).value,
            }
            for r in above
        ],
        "regions_counted": len(scope.regions),
        "method": METHOD,
    }


def fingerprint(scope: ScopeFigures) -> dict[str, Any]:
    """The heatmap: counts[turnout bin][leader-share bin], station-weighted."""
    return {
        "bins": int(scope.fingerprint.shape[0]),
        "weighting": "stations",
        "rows": "turnout",
        "columns": "leader_share",
        "counts": scope.fingerprint.tolist(),
    }


def rows(snapshot: LiveSnapshot, at: datetime, threshold: float, min_stations: int) -> list[Row]:
    return [
        (
            s.region,
            at,
            s.stations,
            orjson.dumps(summary(s, snapshot.leader, threshold, min_stations)).decode(),
            orjson.dumps(fingerprint(s)).decode(),
        )
        for s in snapshot.scopes
    ]


async def write_forensics(conn: Conn, batch: Sequence[Row]) -> None:
    await conn.executemany(
        """INSERT INTO forensics (region_id, computed_at, stations, summary, fingerprint)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
           ON CONFLICT (region_id) DO UPDATE SET
             computed_at = EXCLUDED.computed_at, stations = EXCLUDED.stations,
             summary = EXCLUDED.summary, fingerprint = EXCLUDED.fingerprint
           WHERE forensics.computed_at <= EXCLUDED.computed_at""",
        batch,
    )
