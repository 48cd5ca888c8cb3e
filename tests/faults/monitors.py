"""What the fault suite's monitors report: one station each, valid reports only (every one must
be acknowledged in the end), with turnout jumps, incidents and protocols enough to open, update
and resolve alerts. Event time runs faster than the wall clock so that windows pass."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.contracts import events as ev
from services.simulator.payloads import report_json
from services.simulator.scenario import PlannedReport

# Event time starts an hour behind the wall clock and runs ten times faster, never ahead of it.
EVENT_LAG = timedelta(hours=1)
EVENT_SPEED = 10
GRAVE = (ev.ViolationType.BALLOT_STUFFING, ev.ViolationType.CAROUSEL_VOTING)
OTHER = tuple(v for v in ev.ViolationType if v not in GRAVE)


class EventClock:
    """Maps the wall clock to the suite's event time (whole seconds)."""

    def __init__(self, started: datetime) -> None:
        self.started = started

    def now(self) -> datetime:
        wall = datetime.now(UTC).replace(microsecond=0)
        event = self.started - EVENT_LAG + (wall - self.started) * EVENT_SPEED
        return min(event, wall - timedelta(seconds=1))


@dataclass
class StationMonitor:
    """One monitor's reports for its station, each observed after the previous one."""

    run_id: str
    station_id: str
    monitor_id: str
    registered: int
    rng: random.Random
    sent: int = 0
    ballots: int = 0
    home: int = 0
    last_at: datetime | None = None

    def next_report(self, now: datetime) -> ev.Report:
        at = now if self.last_at is None or now > self.last_at else self.last_at + timedelta(seconds=1)
        self.last_at = at
        self.sent += 1
        return ev.Report(
            id=f"{self.run_id}-{self.station_id}-{self.sent:06d}",
            station_id=self.station_id,
            monitor_id=self.monitor_id,
            channel=ev.Channel.HTTP,
            observed_at=at,
            received_at=at,
            body=self._body(),
        )

    def _body(self) -> ev.ReportBody:
        pick = self.rng.random()
        if pick < 0.55:
            return self._turnout()
        if pick < 0.75:
            return self._incident()
        if pick < 0.94:
            phase = self.rng.choice(list(ev.ChecklistPhase))
            items = self.rng.sample(ev.CHECKLIST_ITEMS, 3)
            return ev.Checklist(phase, {item: self.rng.random() < 0.9 for item in items}, "checked")
        return self._protocol()

    def _turnout(self) -> ev.TurnoutUpdate:
        reg = self.registered
        step = self.rng.uniform(0, 0.004) + (self.rng.uniform(0.16, 0.2) if self.rng.random() < 0.01 else 0)
        self.ballots = min(reg, self.ballots + round(reg * step))
        self.home = min(reg, self.home + self.rng.choice((0, 0, 0, 1, 2)))
        return ev.TurnoutUpdate(self.ballots, self.home)

    def _incident(self) -> ev.Incident:
        violation = self.rng.choice(GRAVE) if self.rng.random() < 0.1 else self.rng.choice(OTHER)
        return ev.Incident(violation, f"seen at {self.station_id}")

    def _protocol(self) -> ev.FinalProtocol:
        issued = self.ballots
        invalid = min(issued, self.rng.randint(0, 10))
        valid = issued - invalid
        # One in four does not add up (protocol_inconsistent); one in four without a copy.
        cast = issued + (3 if self.rng.random() < 0.25 else 0)
        return ev.FinalProtocol(
            registered_voters=self.registered,
            ballots_received=self.registered + 50,
            ballots_issued=issued,
            ballots_cast=cast,
            valid_ballots=valid,
            invalid_ballots=invalid,
            votes={"P01": valid // 2, "P02": valid - valid // 2},
            copy_received=self.rng.random() < 0.75,
        )


def request_body(reports: list[ev.Report]) -> dict[str, Any]:
    """A batch for POST /v1/reports, as docs/ingest.md describes it."""
    return {
        "reports": [report_json(PlannedReport(r.observed_at, r.id, r.station_id, r.body)) for r in reports]
    }
