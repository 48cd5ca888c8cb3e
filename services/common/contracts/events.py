"""The events that cross Kafka, as plain typed values.

Only `codec` converts them to and from the protobuf classes in `generated/`; every other
module works with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    HTTP = "http"
    SMS = "sms"
    REPLAY = "replay"


class ViolationType(StrEnum):
    """The violations monitors report (names as on the wire, lower case here)."""

    BALLOT_STUFFING = "ballot_stuffing"
    CAROUSEL_VOTING = "carousel_voting"
    FAMILY_VOTING = "family_voting"
    HOME_VOTING_ABUSE = "home_voting_abuse"
    MONITOR_RESTRICTED = "monitor_restricted"
    NO_CLEAR_VIEW = "no_clear_view"
    ABNORMAL_TURNOUT = "abnormal_turnout"
    PROTOCOL_REFUSED = "protocol_refused"
    BALLOT_SECRECY = "ballot_secrecy"
    OTHER = "other"


class ChecklistPhase(StrEnum):
    READINESS = "readiness"  # the eve of the election
    OPENING = "opening"
    CLOSING = "closing"


# The checklist items monitors are trained on; other items are accepted as free keys.
CHECKLIST_ITEMS: tuple[str, ...] = (
    "station_ready",
    "voter_list_available",
    "monitor_allowed_to_observe",
    "ballot_boxes_sealed",
    "clear_view_of_ballot_box",
    "voting_booths_private",
    "unused_ballots_cancelled",
)


class ReportFlag(StrEnum):
    # Accepted, since a count above the register is itself a signal for the aggregator.
    TURNOUT_EXCEEDS_REGISTERED = "turnout_exceeds_registered"


class ReportKind(StrEnum):
    CHECKLIST = "checklist"
    TURNOUT = "turnout"
    INCIDENT = "incident"
    PROTOCOL = "protocol"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}


class AlertState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class AlertTransition(StrEnum):
    OPENED = "opened"
    UPDATED = "updated"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Checklist:
    phase: ChecklistPhase
    answers: Mapping[str, bool]
    note: str = ""


@dataclass(frozen=True, slots=True)
class TurnoutUpdate:
    """Cumulative counts since opening: a resend or a reordered report never adds."""

    ballots_issued: int
    home_voting_applications: int = 0


@dataclass(frozen=True, slots=True)
class Incident:
    violation: ViolationType
    description: str = ""
    evidence_urls: tuple[str, ...] = ()
    # Photos uploaded to ingest (POST /v1/evidence), by the SHA-256 of their bytes.
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FinalProtocol:
    registered_voters: int
    ballots_received: int
    ballots_issued: int
    ballots_cast: int
    valid_ballots: int
    invalid_ballots: int
    votes: Mapping[str, int]
    copy_received: bool
    home_ballots_issued: int = 0
    # Photos of the protocol's copy uploaded to ingest (POST /v1/evidence), by SHA-256.
    evidence_ids: tuple[str, ...] = ()


ReportBody = Checklist | TurnoutUpdate | Incident | FinalProtocol

_KIND_OF_BODY: dict[type, ReportKind] = {
    Checklist: ReportKind.CHECKLIST,
    TurnoutUpdate: ReportKind.TURNOUT,
    Incident: ReportKind.INCIDENT,
    FinalProtocol: ReportKind.PROTOCOL,
}


@dataclass(frozen=True, slots=True)
class Report:
    """A monitor's report as ingest accepted it (the reports topic, keyed by station_id)."""

    id: str
    station_id: str
    monitor_id: str
    channel: Channel
    observed_at: datetime
    received_at: datetime
    body: ReportBody
    flags: frozenset[ReportFlag] = frozenset()

    @property
    def kind(self) -> ReportKind:
        return _KIND_OF_BODY[type(self.body)]


@dataclass(frozen=True, slots=True)
class ProtocolSummary:
    registered_voters: int
    ballots_issued: int
    ballots_cast: int
    valid_ballots: int
    invalid_ballots: int
    votes: Mapping[str, int]
    copy_received: bool
    inconsistencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StationStats:
    station_id: str
    region_id: str
    registered_voters: int
    ballots_issued: int
    turnout_pct: float
    turnout_rate_pp_per_hour: float
    home_voting_applications: int
    home_voting_pct: float
    incidents_total: Mapping[str, int]
    incidents_recent: Mapping[str, int]
    last_report_at: datetime | None
    open_alerts: int
    protocol: ProtocolSummary | None
    reports_processed: int
    updated_at: datetime
    silent: bool = False
    # Distinct monitors per violation type (names as in incidents_total).
    violation_monitors: Mapping[str, int] = field(default_factory=dict)
    # The latest answer per checklist question, keyed "<phase>.<question>".
    checklist: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegionStats:
    """A region's roll-up; `region_id == NATIONAL` for the nationwide figures.

    `registered_voters` is the registry's; ballots, home-voting applications and the rate are
    summed over the stations that reported turnout, whose registered voters are
    `registered_voters_reporting`, the denominator of both percentages.
    """

    region_id: str
    stations_total: int
    stations_reporting: int
    stations_silent: int
    registered_voters: int
    ballots_issued: int
    turnout_pct: float
    turnout_rate_pp_per_hour: float
    home_voting_pct: float
    incidents_per_100_stations: float
    incidents_total: Mapping[str, int]
    open_alerts: int
    updated_at: datetime
    registered_voters_reporting: int = 0
    home_voting_applications: int = 0


NATIONAL = ""


@dataclass(frozen=True, slots=True)
class AlertText:
    """One sentence of an alert's text as a key of the message catalog (services/common/catalog)
    and the values of its placeholders: numbers, or codes of another catalog section (e.g.
    "violation": "ballot_stuffing"). Clients render it in their reader's language."""

    key: str
    params: Mapping[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    rule: str
    severity: Severity
    state: AlertState
    transition: AlertTransition
    station_id: str
    region_id: str
    value: float
    threshold: float
    message: str
    report_ids: tuple[str, ...]
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    confidence: float = 1.0
    version: int = 1
    # What `message` says, as catalog keys and parameters (empty on alerts written before them).
    texts: tuple[AlertText, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message that could not be processed; `source` is a topic name or "sms"."""

    source: str
    partition: int
    offset: int
    payload: bytes
    error: str
    failed_at: datetime
    sender: str = ""


class BroadcastKind(StrEnum):
    MESSAGE = "message"
    CHECKIN = "checkin"  # "reply OK when you are at your station"
    CREDENTIALS = "credentials"  # each recipient's login link, with a new token


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives a broadcast: the active monitors matching any selector, within
    `within_regions` when given (the requester's scope)."""

    everyone: bool = False
    region_ids: tuple[str, ...] = ()
    station_ids: tuple[str, ...] = ()
    monitor_ids: tuple[str, ...] = ()
    open_alert_stations: bool = False
    silent_stations: bool = False
    within_regions: tuple[str, ...] = ()
    without_token: bool = False

    @property
    def selects_anyone(self) -> bool:
        return bool(
            self.everyone
            or self.region_ids
            or self.station_ids
            or self.monitor_ids
            or self.open_alert_stations
            or self.silent_stations
        )


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A message to monitors as requested; `id` is its idempotency key."""

    id: str
    kind: BroadcastKind
    audience: Audience
    text: str  # sent when there is no translation in the recipient's language
    translations: Mapping[str, str]  # language (kk, ru, en) -> text
    requested_by: str
    requested_at: datetime


class VerificationState(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"  # held back until decided


# Reports in these states count for nothing in the figures (the aggregator recomputes without them).
OUT_OF_FIGURES = frozenset({VerificationState.REJECTED, VerificationState.QUARANTINED})


class ReviewSubject(StrEnum):
    REPORT = "report"
    ALERT = "alert"


@dataclass(frozen=True, slots=True)
class VerificationDecision:
    """A coordinator's decision on a report or alert, once PostgreSQL holds it (the topic
    says which station to recompute; the database is the record)."""

    subject: ReviewSubject
    id: str
    station_id: str  # "" for a region's own alert
    region_id: str
    state: VerificationState
    previous: VerificationState
    decided_by: str
    decided_at: datetime

    @property
    def moves_figures(self) -> bool:
        """A report that is or was out of the figures: its station is recomputed (a repeated
        decision recomputes again, which changes nothing)."""
        return self.subject is ReviewSubject.REPORT and (
            self.state in OUT_OF_FIGURES or self.previous in OUT_OF_FIGURES
        )
