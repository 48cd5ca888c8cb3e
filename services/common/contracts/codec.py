"""Converts event values to and from their protobuf wire form.

The only module that touches the generated classes: the rest of pollwatch sees `events`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from services.common.contracts import events as ev
from services.common.contracts.generated.pollwatch.v1 import (
    alert_pb2,
    broadcast_pb2,
    deadletter_pb2,
    ingest_pb2,
    report_pb2,
    stats_pb2,
    verification_pb2,
)
from services.common.infra.errors import DecodeError

E = TypeVar("E", bound=StrEnum)
M = TypeVar("M", bound=Message)


def _enum_table(values: type[E], prefix: str, wire: Any) -> tuple[dict[E, Any], dict[int, E]]:
    """Pairs `values` with the proto enum whose names are `prefix` + NAME."""
    to_wire = {v: wire.Value(prefix + v.name) for v in values}
    return to_wire, {n: v for v, n in to_wire.items()}


_CHANNEL = _enum_table(ev.Channel, "CHANNEL_", report_pb2.Channel)
_VIOLATION = _enum_table(ev.ViolationType, "VIOLATION_TYPE_", report_pb2.ViolationType)
_PHASE = _enum_table(ev.ChecklistPhase, "CHECKLIST_PHASE_", report_pb2.ChecklistPhase)
_FLAG = _enum_table(ev.ReportFlag, "REPORT_FLAG_", report_pb2.ReportFlag)
_SEVERITY = _enum_table(ev.Severity, "SEVERITY_", alert_pb2.Severity)
_STATE = _enum_table(ev.AlertState, "ALERT_STATE_", alert_pb2.AlertState)
_TRANSITION = _enum_table(ev.AlertTransition, "ALERT_TRANSITION_", alert_pb2.AlertTransition)
_BROADCAST_KIND = _enum_table(ev.BroadcastKind, "BROADCAST_KIND_", broadcast_pb2.BroadcastKind)


def _from_wire(table: tuple[dict[E, Any], dict[int, E]], number: int, what: str) -> E:
    try:
        return table[1][number]
    except KeyError:
        raise DecodeError(f"{what}: unknown or unspecified enum value {number}") from None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _set_ts(ts: Timestamp, dt: datetime) -> None:
    """`ts` as `Timestamp.FromDatetime` sets it, by integer arithmetic (a third of the time)."""
    if dt.tzinfo is None:
        raise ValueError("timestamps must carry a timezone")
    delta = dt.astimezone(UTC) - _EPOCH  # normalised: 0 <= seconds < 86400, 0 <= microseconds
    ts.seconds = delta.days * 86_400 + delta.seconds
    ts.nanos = delta.microseconds * 1000


def _ts(dt: datetime) -> Timestamp:
    ts = Timestamp()
    _set_ts(ts, dt)
    return ts


_SECONDS_MIN, _SECONDS_MAX = -62_135_596_800, 253_402_300_799  # 0001-01-01 .. 9999-12-31


def _dt(ts: Timestamp) -> datetime:
    """`ts.ToDatetime(tzinfo=UTC)`, same value and checks, in half the time (two per report
    decoded: a visible share of the aggregator's and the API's consumers)."""
    seconds, nanos = ts.seconds, ts.nanos
    if not (_SECONDS_MIN <= seconds <= _SECONDS_MAX and 0 <= nanos < 1_000_000_000):
        raise ValueError(f"Timestamp is not valid: seconds {seconds}, nanos {nanos}")
    return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)


def _parse(cls: type[M], data: bytes) -> M:
    msg = cls()
    try:
        msg.ParseFromString(data)
    except (ProtobufDecodeError, RuntimeError) as exc:
        raise DecodeError(f"not a {cls.DESCRIPTOR.full_name}: {exc}") from exc
    return msg


def counts(values: Mapping[str, int]) -> dict[str, int]:
    """A count map sorted by key, with its keys interned: the same party names recur at every
    station (up to 79 characters in 2011), and a national day holds ~100,000 decoded copies."""
    return {sys.intern(k): v for k, v in sorted(values.items())}


# --- Report -------------------------------------------------------------------------------


def report_to_proto(report: ev.Report) -> report_pb2.Report:
    # Fields are set in place rather than built and copied in (CopyFrom, Timestamp objects):
    # this runs once per report on ingest's hot path. Setting any field marks a sub-message
    # present, as the copy did.
    msg = report_pb2.Report(
        id=report.id,
        station_id=report.station_id,
        monitor_id=report.monitor_id,
        channel=_CHANNEL[0][report.channel],
    )
    _set_ts(msg.observed_at, report.observed_at)
    _set_ts(msg.received_at, report.received_at)
    if report.flags:
        msg.flags.extend(sorted(_FLAG[0][f] for f in report.flags))
    body = report.body
    if isinstance(body, ev.TurnoutUpdate):
        turnout = msg.turnout
        turnout.ballots_issued = body.ballots_issued
        turnout.home_voting_applications = body.home_voting_applications
    elif isinstance(body, ev.Checklist):
        checklist = msg.checklist
        checklist.phase = _PHASE[0][body.phase]
        checklist.answers.update(body.answers)
        checklist.note = body.note
    elif isinstance(body, ev.Incident):
        incident = msg.incident
        incident.violation = _VIOLATION[0][body.violation]
        incident.description = body.description
        incident.evidence_urls.extend(body.evidence_urls)
        incident.evidence_ids.extend(body.evidence_ids)
    else:
        _set_protocol(msg.protocol, body)
    return msg


def _set_protocol(msg: report_pb2.FinalProtocol, p: ev.FinalProtocol) -> None:
    msg.registered_voters = p.registered_voters
    msg.ballots_received = p.ballots_received
    msg.ballots_issued = p.ballots_issued
    msg.ballots_cast = p.ballots_cast
    msg.valid_ballots = p.valid_ballots
    msg.invalid_ballots = p.invalid_ballots
    msg.votes.update(p.votes)
    msg.copy_received = p.copy_received
    msg.home_ballots_issued = p.home_ballots_issued
    msg.evidence_ids.extend(p.evidence_ids)


def report_from_proto(msg: report_pb2.Report) -> ev.Report:
    which = msg.WhichOneof("body")
    body: ev.ReportBody
    if which == "checklist":
        body = ev.Checklist(
            phase=_from_wire(_PHASE, msg.checklist.phase, "checklist.phase"),
            answers=dict(sorted(msg.checklist.answers.items())),
            note=msg.checklist.note,
        )
    elif which == "turnout":
        body = ev.TurnoutUpdate(msg.turnout.ballots_issued, msg.turnout.home_voting_applications)
    elif which == "incident":
        body = ev.Incident(
            violation=_from_wire(_VIOLATION, msg.incident.violation, "incident.violation"),
            description=msg.incident.description,
            evidence_urls=tuple(msg.incident.evidence_urls),
            evidence_ids=tuple(msg.incident.evidence_ids),
        )
    elif which == "protocol":
        p = msg.protocol
        body = ev.FinalProtocol(
            registered_voters=p.registered_voters,
            ballots_received=p.ballots_received,
            ballots_issued=p.ballots_issued,
            ballots_cast=p.ballots_cast,
            valid_ballots=p.valid_ballots,
            invalid_ballots=p.invalid_ballots,
            votes=counts(p.votes),
            copy_received=p.copy_received,
            home_ballots_issued=p.home_ballots_issued,
            evidence_ids=tuple(p.evidence_ids),
        )
    else:
        raise DecodeError("report has no body")
    if not msg.id or not msg.station_id:
        raise DecodeError("report without id or station_id")
    if not msg.HasField("observed_at") or not msg.HasField("received_at"):
        raise DecodeError("report without observed_at or received_at")
    return ev.Report(
        id=msg.id,
        station_id=msg.station_id,
        monitor_id=msg.monitor_id,
        channel=_from_wire(_CHANNEL, msg.channel, "channel"),
        observed_at=_dt(msg.observed_at),
        received_at=_dt(msg.received_at),
        body=body,
        flags=frozenset(_from_wire(_FLAG, f, "flags") for f in msg.flags),
    )


def encode_report(report: ev.Report) -> bytes:
    return report_to_proto(report).SerializeToString(deterministic=True)


def decode_report(data: bytes) -> ev.Report:
    return report_from_proto(_parse(report_pb2.Report, data))


# --- Submissions (what monitors' apps POST to ingest as protobuf) -------------------------


def report_submissions_from_proto(data: bytes, single: bool = False) -> list[dict[str, Any]]:
    """A ReportBatch (or one Report when `single`) in the JSON shape ingest validates.

    Server-set fields (monitor_id, channel, received_at, flags) are ignored; unset values
    come out as None so that validation names them.
    """
    reports = (
        [_parse(report_pb2.Report, data)] if single else list(_parse(ingest_pb2.ReportBatch, data).reports)
    )
    return [_submission(m) for m in reports]


def _enum_name(table: tuple[dict[E, Any], dict[int, E]], number: int) -> str | None:
    if number == 0:
        return None
    value = table[1].get(number)
    return f"#{number}" if value is None else value.value


def _submission(m: report_pb2.Report) -> dict[str, Any]:
    observed: str | None = None
    if m.HasField("observed_at"):
        try:
            observed = _dt(m.observed_at).isoformat()
        except (ValueError, OverflowError):
            observed = f"(timestamp seconds={m.observed_at.seconds})"
    out: dict[str, Any] = {"id": m.id or None, "station_id": m.station_id or None, "observed_at": observed}
    which = m.WhichOneof("body")
    if which == "checklist":
        out["checklist"] = {
            "phase": _enum_name(_PHASE, m.checklist.phase),
            "answers": dict(m.checklist.answers),
            "note": m.checklist.note,
        }
    elif which == "turnout":
        out["turnout"] = {
            "ballots_issued": m.turnout.ballots_issued,
            "home_voting_applications": m.turnout.home_voting_applications,
        }
    elif which == "incident":
        out["incident"] = {
            "violation": _enum_name(_VIOLATION, m.incident.violation),
            "description": m.incident.description,
            "evidence_urls": list(m.incident.evidence_urls),
            "evidence_ids": list(m.incident.evidence_ids),
        }
    elif which == "protocol":
        p = m.protocol
        out["protocol"] = {
            "registered_voters": p.registered_voters,
            "ballots_received": p.ballots_received,
            "ballots_issued": p.ballots_issued,
            "ballots_cast": p.ballots_cast,
            "valid_ballots": p.valid_ballots,
            "invalid_ballots": p.invalid_ballots,
            "votes": dict(p.votes),
            "copy_received": p.copy_received,
            "home_ballots_issued": p.home_ballots_issued,
            "evidence_ids": list(p.evidence_ids),
        }
    return out


def report_batch_to_proto_bytes(reports: list[ev.Report]) -> bytes:
    """A ReportBatch as a client would send it (tests, benchmarks, client libraries)."""
    return ingest_pb2.ReportBatch(reports=[report_to_proto(r) for r in reports]).SerializeToString()


# --- Stats --------------------------------------------------------------------------------


def _summary_to_proto(s: ev.ProtocolSummary) -> stats_pb2.ProtocolSummary:
    return stats_pb2.ProtocolSummary(
        registered_voters=s.registered_voters,
        ballots_issued=s.ballots_issued,
        ballots_cast=s.ballots_cast,
        valid_ballots=s.valid_ballots,
        invalid_ballots=s.invalid_ballots,
        votes=dict(s.votes),
        copy_received=s.copy_received,
        inconsistencies=list(s.inconsistencies),
    )


def _summary_from_proto(m: stats_pb2.ProtocolSummary) -> ev.ProtocolSummary:
    return ev.ProtocolSummary(
        registered_voters=m.registered_voters,
        ballots_issued=m.ballots_issued,
        ballots_cast=m.ballots_cast,
        valid_ballots=m.valid_ballots,
        invalid_ballots=m.invalid_ballots,
        votes=counts(m.votes),
        copy_received=m.copy_received,
        inconsistencies=tuple(m.inconsistencies),
    )


def station_stats_to_proto(s: ev.StationStats) -> stats_pb2.StationStats:
    # Timestamps and maps set in place, as in report_to_proto (the aggregator encodes one per
    # station changed); tests/unit/test_codec.py checks the bytes against the plain copy.
    msg = stats_pb2.StationStats(
        station_id=s.station_id,
        region_id=s.region_id,
        registered_voters=s.registered_voters,
        ballots_issued=s.ballots_issued,
        turnout_pct=s.turnout_pct,
        turnout_rate_pp_per_hour=s.turnout_rate_pp_per_hour,
        home_voting_applications=s.home_voting_applications,
        home_voting_pct=s.home_voting_pct,
        open_alerts=s.open_alerts,
        reports_processed=s.reports_processed,
        silent=s.silent,
    )
    if s.incidents_total:
        msg.incidents_total.update(s.incidents_total)
    if s.incidents_recent:
        msg.incidents_recent.update(s.incidents_recent)
    if s.violation_monitors:
        msg.violation_monitors.update(s.violation_monitors)
    if s.checklist:
        msg.checklist.update(s.checklist)
    _set_ts(msg.updated_at, s.updated_at)
    if s.last_report_at is not None:
        _set_ts(msg.last_report_at, s.last_report_at)
    if s.protocol is not None:
        msg.protocol.CopyFrom(_summary_to_proto(s.protocol))
    return msg


def station_stats_from_proto(m: stats_pb2.StationStats) -> ev.StationStats:
    return ev.StationStats(
        station_id=m.station_id,
        region_id=m.region_id,
        registered_voters=m.registered_voters,
        ballots_issued=m.ballots_issued,
        turnout_pct=m.turnout_pct,
        turnout_rate_pp_per_hour=m.turnout_rate_pp_per_hour,
        home_voting_applications=m.home_voting_applications,
        home_voting_pct=m.home_voting_pct,
        incidents_total=counts(m.incidents_total),
        incidents_recent=counts(m.incidents_recent),
        last_report_at=_dt(m.last_report_at) if m.HasField("last_report_at") else None,
        open_alerts=m.open_alerts,
        protocol=_summary_from_proto(m.protocol) if m.HasField("protocol") else None,
        reports_processed=m.reports_processed,
        updated_at=_dt(m.updated_at),
        silent=m.silent,
        violation_monitors=counts(m.violation_monitors),
        checklist=dict(m.checklist),
    )


def encode_station_stats(s: ev.StationStats) -> bytes:
    return station_stats_to_proto(s).SerializeToString(deterministic=True)


def decode_station_stats(data: bytes) -> ev.StationStats:
    return station_stats_from_proto(_parse(stats_pb2.StationStats, data))


def region_stats_to_proto(s: ev.RegionStats) -> stats_pb2.RegionStats:
    return stats_pb2.RegionStats(
        region_id=s.region_id,
        stations_total=s.stations_total,
        stations_reporting=s.stations_reporting,
        stations_silent=s.stations_silent,
        registered_voters=s.registered_voters,
        ballots_issued=s.ballots_issued,
        turnout_pct=s.turnout_pct,
        turnout_rate_pp_per_hour=s.turnout_rate_pp_per_hour,
        home_voting_pct=s.home_voting_pct,
        incidents_per_100_stations=s.incidents_per_100_stations,
        incidents_total=dict(s.incidents_total),
        open_alerts=s.open_alerts,
        updated_at=_ts(s.updated_at),
        registered_voters_reporting=s.registered_voters_reporting,
        home_voting_applications=s.home_voting_applications,
    )


def region_stats_from_proto(m: stats_pb2.RegionStats) -> ev.RegionStats:
    return ev.RegionStats(
        region_id=m.region_id,
        stations_total=m.stations_total,
        stations_reporting=m.stations_reporting,
        stations_silent=m.stations_silent,
        registered_voters=m.registered_voters,
        ballots_issued=m.ballots_issued,
        turnout_pct=m.turnout_pct,
        turnout_rate_pp_per_hour=m.turnout_rate_pp_per_hour,
        home_voting_pct=m.home_voting_pct,
        incidents_per_100_stations=m.incidents_per_100_stations,
        incidents_total=counts(m.incidents_total),
        open_alerts=m.open_alerts,
        updated_at=_dt(m.updated_at),
        registered_voters_reporting=m.registered_voters_reporting,
        home_voting_applications=m.home_voting_applications,
    )


def encode_region_stats(s: ev.RegionStats) -> bytes:
    return region_stats_to_proto(s).SerializeToString(deterministic=True)


def decode_region_stats(data: bytes) -> ev.RegionStats:
    return region_stats_from_proto(_parse(stats_pb2.RegionStats, data))


# --- Alerts and dead letters --------------------------------------------------------------


def alert_to_proto(a: ev.Alert) -> alert_pb2.Alert:
    msg = alert_pb2.Alert(
        id=a.id,
        rule=a.rule,
        severity=_SEVERITY[0][a.severity],
        state=_STATE[0][a.state],
        transition=_TRANSITION[0][a.transition],
        station_id=a.station_id,
        region_id=a.region_id,
        value=a.value,
        threshold=a.threshold,
        message=a.message,
        report_ids=list(a.report_ids),
        opened_at=_ts(a.opened_at),
        updated_at=_ts(a.updated_at),
        confidence=a.confidence,
        version=a.version,
        texts=[_alert_text_to_proto(t) for t in a.texts],
    )
    if a.resolved_at is not None:
        msg.resolved_at.CopyFrom(_ts(a.resolved_at))
    return msg


def _alert_text_to_proto(t: ev.AlertText) -> alert_pb2.AlertText:
    msg = alert_pb2.AlertText(key=t.key)
    for name, value in t.params.items():
        if isinstance(value, str):
            msg.codes[name] = value
        else:
            msg.numbers[name] = value
    return msg


def _alert_text_from_proto(m: alert_pb2.AlertText) -> ev.AlertText:
    params: dict[str, float | str] = {**m.numbers, **m.codes}
    return ev.AlertText(key=m.key, params=params)


def alert_from_proto(m: alert_pb2.Alert) -> ev.Alert:
    if not m.id or not m.rule:
        raise DecodeError("alert without id or rule")
    return ev.Alert(
        id=m.id,
        rule=m.rule,
        severity=_from_wire(_SEVERITY, m.severity, "severity"),
        state=_from_wire(_STATE, m.state, "state"),
        transition=_from_wire(_TRANSITION, m.transition, "transition"),
        station_id=m.station_id,
        region_id=m.region_id,
        value=m.value,
        threshold=m.threshold,
        message=m.message,
        report_ids=tuple(m.report_ids),
        opened_at=_dt(m.opened_at),
        updated_at=_dt(m.updated_at),
        resolved_at=_dt(m.resolved_at) if m.HasField("resolved_at") else None,
        confidence=m.confidence,
        version=m.version,
        texts=tuple(_alert_text_from_proto(t) for t in m.texts),
    )


def encode_alert(a: ev.Alert) -> bytes:
    return alert_to_proto(a).SerializeToString(deterministic=True)


def decode_alert(data: bytes) -> ev.Alert:
    return alert_from_proto(_parse(alert_pb2.Alert, data))


def dead_letter_to_proto(d: ev.DeadLetter) -> deadletter_pb2.DeadLetter:
    return deadletter_pb2.DeadLetter(
        source=d.source,
        partition=d.partition,
        offset=d.offset,
        payload=d.payload,
        error=d.error,
        failed_at=_ts(d.failed_at),
        sender=d.sender,
    )


def dead_letter_from_proto(m: deadletter_pb2.DeadLetter) -> ev.DeadLetter:
    return ev.DeadLetter(
        source=m.source,
        partition=m.partition,
        offset=m.offset,
        payload=m.payload,
        error=m.error,
        failed_at=_dt(m.failed_at),
        sender=m.sender,
    )


def encode_dead_letter(d: ev.DeadLetter) -> bytes:
    return dead_letter_to_proto(d).SerializeToString(deterministic=True)


def decode_dead_letter(data: bytes) -> ev.DeadLetter:
    return dead_letter_from_proto(_parse(deadletter_pb2.DeadLetter, data))


# --- Broadcast ----------------------------------------------------------------------------


def broadcast_to_proto(b: ev.Broadcast) -> broadcast_pb2.Broadcast:
    a = b.audience
    return broadcast_pb2.Broadcast(
        id=b.id,
        kind=_BROADCAST_KIND[0][b.kind],
        audience=broadcast_pb2.Audience(
            everyone=a.everyone,
            region_ids=a.region_ids,
            station_ids=a.station_ids,
            monitor_ids=a.monitor_ids,
            open_alert_stations=a.open_alert_stations,
            silent_stations=a.silent_stations,
            within_regions=a.within_regions,
            without_token=a.without_token,
        ),
        text=b.text,
        translations=dict(b.translations),
        requested_by=b.requested_by,
        requested_at=_ts(b.requested_at),
    )


def broadcast_from_proto(m: broadcast_pb2.Broadcast) -> ev.Broadcast:
    a = m.audience
    return ev.Broadcast(
        id=m.id,
        kind=_from_wire(_BROADCAST_KIND, m.kind, "kind"),
        audience=ev.Audience(
            everyone=a.everyone,
            region_ids=tuple(a.region_ids),
            station_ids=tuple(a.station_ids),
            monitor_ids=tuple(a.monitor_ids),
            open_alert_stations=a.open_alert_stations,
            silent_stations=a.silent_stations,
            within_regions=tuple(a.within_regions),
            without_token=a.without_token,
        ),
        text=m.text,
        translations=dict(sorted(m.translations.items())),
        requested_by=m.requested_by,
        requested_at=_dt(m.requested_at),
    )


def encode_broadcast(b: ev.Broadcast) -> bytes:
    return broadcast_to_proto(b).SerializeToString(deterministic=True)


def decode_broadcast(data: bytes) -> ev.Broadcast:
    return broadcast_from_proto(_parse(broadcast_pb2.Broadcast, data))


# --- VerificationDecision --------------------------------------------------------------------

_VERIFICATION = _enum_table(ev.VerificationState, "VERIFICATION_STATE_", verification_pb2.VerificationState)
_SUBJECT = _enum_table(ev.ReviewSubject, "REVIEW_SUBJECT_", verification_pb2.ReviewSubject)


def verification_decision_to_proto(d: ev.VerificationDecision) -> verification_pb2.VerificationDecision:
    return verification_pb2.VerificationDecision(
        subject=_SUBJECT[0][d.subject],
        id=d.id,
        station_id=d.station_id,
        region_id=d.region_id,
        state=_VERIFICATION[0][d.state],
        previous=_VERIFICATION[0][d.previous],
        decided_by=d.decided_by,
        decided_at=_ts(d.decided_at),
    )


def verification_decision_from_proto(m: verification_pb2.VerificationDecision) -> ev.VerificationDecision:
    return ev.VerificationDecision(
        subject=_from_wire(_SUBJECT, m.subject, "subject"),
        id=m.id,
        station_id=m.station_id,
        region_id=m.region_id,
        state=_from_wire(_VERIFICATION, m.state, "state"),
        previous=_from_wire(_VERIFICATION, m.previous, "previous"),
        decided_by=m.decided_by,
        decided_at=_dt(m.decided_at),
    )


def encode_verification_decision(d: ev.VerificationDecision) -> bytes:
    return verification_decision_to_proto(d).SerializeToString(deterministic=True)


def decode_verification_decision(data: bytes) -> ev.VerificationDecision:
    return verification_decision_from_proto(_parse(verification_pb2.VerificationDecision, data))
