"""When each planned report reaches ingest: time compression, flaky phones' resends and delays.

Pure: turns the day's plan into a delivery schedule in seconds from the start of the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from services.simulator.scenario import Day, PlannedReport


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    speed: float = 60.0  # simulated seconds per wall-clock second
    resend_share: float = 0.05  # reports sent twice (the phone did not see the answer)
    late_share: float = 0.05  # reports held back by a bad network...
    max_delay_minutes: float = 30.0  # ...for up to this long in simulated time
    # The night between the readiness checklists and the opening is skipped: no wall-clock
    # pause longer than this, so a compressed day never looks stalled.
    max_idle_seconds: float = 2.0
    seed: int = 2012
    # Live: the event time the run starts at; `speed` is then 1. Reports observed before it go
    # at once, the others when their time comes, so ingest never sees the future. None:
    # compressed, from the day's first report, with idle gaps capped.
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    at_seconds: float  # wall-clock seconds after the start of the run
    report: PlannedReport
    resend: bool = False


def schedule(day: Day, options: DeliveryOptions) -> list[Delivery]:
    """Every report at least once, in delivery order; late ones overtake no one else's identity."""
    rng = random.Random(options.seed)
    live = options.start is not None
    start = options.start or (day.reports[0].observed_at if day.reports else day.opening)
    speed = 1.0 if live else options.speed
    out: list[Delivery] = []
    for report in day.reports:
        sim_delay = (
            rng.uniform(1, options.max_delay_minutes) * 60 if rng.random() < options.late_share else 0.0
        )
        at = max(0.0, ((report.observed_at - start).total_seconds() + sim_delay) / speed)
        out.append(Delivery(at, report))
        if rng.random() < options.resend_share:
            out.append(Delivery(at + rng.uniform(1, 120) / speed, report, resend=True))
    out.sort(key=lambda d: (d.at_seconds, d.report.report_id, d.resend))
    return out if live else _cap_idle(out, options.max_idle_seconds)


def _cap_idle(deliveries: list[Delivery], max_idle: float) -> list[Delivery]:
    """Shifts deliveries earlier so no gap between two of them exceeds `max_idle` seconds."""
    shift = 0.0
    previous = 0.0
    out: list[Delivery] = []
    for d in deliveries:
        gap = d.at_seconds - previous
        if gap > max_idle:
            shift += gap - max_idle
        previous = d.at_seconds
        out.append(Delivery(d.at_seconds - shift, d.report, d.resend))
    return out
