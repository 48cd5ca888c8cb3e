"""What a simulated day consists of: planned reports, injected irregularities, the ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.common.contracts import events as ev


class Irregularity(StrEnum):
    """What the simulator injects at a station, each meant to raise its alert."""

    BALLOT_STUFFING = "ballot_stuffing"  # a late turnout jump, an inflated leader share
    CAROUSEL = "carousel"  # monitors report carousel voting
    HOME_VOTING = "home_voting"  # abnormally many home-voting applications
    MONITOR_REMOVED = "monitor_removed"  # the monitor falls silent from midday
    PROTOCOL_REFUSED = "protocol_refused"  # no copy of the final protocol for the monitor
    PROTOCOL_INCONSISTENT = "protocol_inconsistent"  # valid + invalid != cast
    CHECKLIST_FAILED = "checklist_failed"  # the opening checklist: ballot boxes not sealed
    MONITOR_BARRED = "monitor_barred"  # the monitor is kept out from the start: no report at all


@dataclass(frozen=True, slots=True)
class PlannedReport:
    """One report as a monitor's phone will send it: when, by which channel, what."""

    observed_at: datetime
    report_id: str
    station_id: str
    body: ev.ReportBody
    sms: bool = False


@dataclass(frozen=True, slots=True)
class StationTruth:
    station_id: str
    region_id: str
    registered_voters: int
    ballots_issued: int
    home_voting_applications: int
    # None when the monitor never got to report it (removed from the station).
    protocol: ev.FinalProtocol | None
    irregularities: tuple[Irregularity, ...] = ()


@dataclass
class Day:
    """A planned election day: the reports in event-time order, and what really happened."""

    opening: datetime
    closing: datetime
    reports: list[PlannedReport] = field(default_factory=list)
    truth: dict[str, StationTruth] = field(default_factory=dict)
