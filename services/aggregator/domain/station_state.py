"""One station's state, built only from the reports applied to it, idempotently.

Turnout is kept as cumulative points keyed by observed_at, so a resent or reordered report never
inflates anything: every derived figure is recomputed from the points. Report ids are remembered
for `dedup_hours` of event time; a report older than that behind the station's newest is refused.

Kept cheap per report: the turnout times are held sorted (rules and figures bisect into them
instead of sorting every point), incidents are inserted in order, and pruning only runs once
the horizon has passed the oldest id remembered.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.aggregator.domain.alerts import AlertBook
from services.common.contracts import events as ev


class Applied(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    TOO_LATE = "too_late"


@dataclass(frozen=True, slots=True)
class StationInfo:
    """What the registry says about a station."""

    region_id: str
    registered_voters: int
    timezone: str | None = None  # its region's IANA zone; None: the rules' polls zone
    monitored: bool = False  # a monitor is assigned to it (monitor_absent watches it)
    checked_in: bool = False  # an assigned monitor replied OK at the station: present, observed


UNKNOWN_REGION = "unknown"


@dataclass(frozen=True, slots=True)
class TurnoutPoint:
    ballots: int
    home: int
    report_id: str


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    at: int
    violation: str  # ViolationType value
    report_id: str
    monitor_id: str


@dataclass(frozen=True, slots=True)
class ProtocolRecord:
    at: int
    report_id: str
    protocol: ev.FinalProtocol


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    """A phase's latest checklist: the newest by (observed_at, report id) wins, whatever the order."""

    at: int
    report_id: str
    answers: dict[str, bool]


def epoch(when: datetime) -> int:
    return int(when.timestamp())


@dataclass(slots=True)
class StationState:
    station_id: str
    seen: dict[str, int] = field(default_factory=dict)  # report id -> observed_at (epoch s)
    reports: int = 0
    last_at: int | None = None
    turnout: dict[int, TurnoutPoint] = field(default_factory=dict)
    incidents: list[IncidentRecord] = field(default_factory=list)
    incidents_total: dict[str, int] = field(default_factory=dict)
    protocol: ProtocolRecord | None = None
    checklists: dict[str, ChecklistRecord] = field(default_factory=dict)  # by phase
    alerts: AlertBook = field(default_factory=AlertBook)
    # Derived from the fields above, rebuilt on demand (not part of the state's identity).
    # (times, cumulative ballots) of the turnout points, sorted by time.
    _series: tuple[list[int], list[int]] | None = field(default=None, compare=False, repr=False)
    _oldest: int | None = field(default=None, compare=False, repr=False)

    def apply(self, report: ev.Report, dedup_s: float) -> Applied:
        """Applies a report once; a second time (or too late to tell) it changes nothing."""
        at = epoch(report.observed_at)
        if report.id in self.seen:
            return Applied.DUPLICATE
        if self.last_at is not None and at < self.last_at - dedup_s:
            return Applied.TOO_LATE
        self.seen[report.id] = at
        if self._oldest is not None and at < self._oldest:
            self._oldest = at
        self.reports += 1
        body = report.body
        if isinstance(body, ev.TurnoutUpdate):
            self._add_turnout(at, TurnoutPoint(body.ballots_issued, body.home_voting_applications, report.id))
        elif isinstance(body, ev.Incident):
            record = IncidentRecord(at, body.violation.value, report.id, report.monitor_id)
            bisect.insort(self.incidents, record, key=lambda r: (r.at, r.report_id))
            name = body.violation.name
            self.incidents_total[name] = self.incidents_total.get(name, 0) + 1
        elif isinstance(body, ev.Checklist):
            held = self.checklists.get(body.phase.value)
            if held is None or (at, report.id) > (held.at, held.report_id):
                self.checklists[body.phase.value] = ChecklistRecord(at, report.id, dict(body.answers))
        elif isinstance(body, ev.FinalProtocol) and (
            self.protocol is None or (at, report.id) > (self.protocol.at, self.protocol.report_id)
        ):
            self.protocol = ProtocolRecord(at, report.id, body)
        if self.last_at is None or at > self.last_at:
            self.last_at = at
            self._prune(at - dedup_s)
        return Applied.NEW

    def _add_turnout(self, at: int, point: TurnoutPoint) -> None:
        known = self.turnout.get(at)
        # Two reports for the same minute: the larger cumulative count wins, whatever the order.
        if known is None or (point.ballots, point.home, point.report_id) > (
            known.ballots,
            known.home,
            known.report_id,
        ):
            self.turnout[at] = point
            if self._series is not None:
                times, ballots = self._series
                i = bisect.bisect_left(times, at)
                if known is None:
                    times.insert(i, at)
                    ballots.insert(i, point.ballots)
                else:
                    ballots[i] = point.ballots

    def _prune(self, horizon: float) -> None:
        if self._oldest is None:
            self._oldest = min(self.seen.values(), default=None)
        if self._oldest is None or self._oldest >= horizon:
            return  # nothing to forget yet: the common case, kept O(1)
        self.seen = {k: t for k, t in self.seen.items() if t >= horizon}
        self._oldest = min(self.seen.values(), default=None)
        self.incidents = [r for r in self.incidents if r.at >= horizon]
        if len(self.turnout) > 1:
            latest = max(self.turnout)
            self.turnout = {t: p for t, p in self.turnout.items() if t >= horizon or t == latest}
            self._series = None

    def turnout_series(self) -> tuple[list[int], list[int]]:
        """(times, cumulative ballots) of the turnout points, sorted by time (do not modify)."""
        if self._series is None:
            times = sorted(self.turnout)
            self._series = times, [self.turnout[t].ballots for t in times]
        return self._series

    def latest_turnout(self) -> tuple[int, TurnoutPoint] | None:
        times = self.turnout_series()[0]
        if not times:
            return None
        return times[-1], self.turnout[times[-1]]
