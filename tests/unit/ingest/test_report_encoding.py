"""codec.encode_report, tuned for ingest's hot path, writes exactly the bytes the plain
construction of the generated message (sub-messages built and copied in, Timestamp.FromDatetime)
writes: the aggregator and the API decode them, and report bytes must not change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.contracts.generated.pollwatch.v1 import report_pb2


def _timestamp(dt: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(dt.astimezone(UTC))
    return ts


def _reference(report: ev.Report) -> bytes:
    """The construction codec used before it was tuned."""
    msg = report_pb2.Report(
        id=report.id,
        station_id=report.station_id,
        monitor_id=report.monitor_id,
        channel=report_pb2.Channel.Value("CHANNEL_" + report.channel.name),
        observed_at=_timestamp(report.observed_at),
        received_at=_timestamp(report.received_at),
        flags=sorted(report_pb2.ReportFlag.Value("REPORT_FLAG_" + f.name) for f in report.flags),
    )
    body = report.body
    if isinstance(body, ev.Checklist):
        phase = report_pb2.ChecklistPhase.Value("CHECKLIST_PHASE_" + body.phase.name)
        msg.checklist.CopyFrom(report_pb2.Checklist(phase=phase, answers=dict(body.answers), note=body.note))
    elif isinstance(body, ev.TurnoutUpdate):
        msg.turnout.CopyFrom(
            report_pb2.TurnoutUpdate(
                ballots_issued=body.ballots_issued, home_voting_applications=body.home_voting_applications
            )
        )
    elif isinstance(body, ev.Incident):
        violation = report_pb2.ViolationType.Value("VIOLATION_TYPE_" + body.violation.name)
        msg.incident.CopyFrom(
            report_pb2.Incident(
                violation=violation, description=body.description, evidence_urls=list(body.evidence_urls)
            )
        )
    else:
        msg.protocol.CopyFrom(
            report_pb2.FinalProtocol(
                registered_voters=body.registered_voters,
                ballots_received=body.ballots_received,
                ballots_issued=body.ballots_issued,
                ballots_cast=body.ballots_cast,
                valid_ballots=body.valid_ballots,
                invalid_ballots=body.invalid_ballots,
                votes=dict(body.votes),
                copy_received=body.copy_received,
                home_ballots_issued=body.home_ballots_issued,
            )
        )
    return msg.SerializeToString(deterministic=True)


text = st.text(max_size=12)
counts = st.integers(min_value=0, max_value=2**32 - 1)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.builds(
    lambda d, tz: d.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)),
    offsets,
) | st.just(datetime(1970, 1, 1, tzinfo=UTC))
bodies: st.SearchStrategy[ev.ReportBody] = st.one_of(
    st.builds(ev.TurnoutUpdate, counts, counts),
    st.builds(
        ev.Checklist,
        st.sampled_from(ev.ChecklistPhase),
        st.dictionaries(text, st.booleans(), max_size=4),
        text,
    ),
    st.builds(
        ev.Incident,
        st.sampled_from(ev.ViolationType),
        text,
        st.lists(text, max_size=3).map(tuple),
    ),
    st.builds(
        ev.FinalProtocol,
        counts,
        counts,
        counts,
        counts,
        counts,
        counts,
        st.dictionaries(text, counts, max_size=4),
        st.booleans(),
        counts,
    ),
)
reports = st.builds(
    ev.Report,
    text,
    text,
    text,
    st.sampled_from(ev.Channel),
    moments,
    moments,
    bodies,
    st.frozensets(st.sampled_from(ev.ReportFlag)),
)


@given(reports)
def test_encoded_report_bytes_are_those_of_the_plain_construction(report: ev.Report) -> None:
    assert codec.encode_report(report) == _reference(report)


def test_empty_bodies_and_the_epoch_are_still_written() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for body in (ev.TurnoutUpdate(0), ev.Incident(ev.ViolationType.OTHER)):
        report = ev.Report("", "", "", ev.Channel.HTTP, epoch, epoch, body)
        assert codec.encode_report(report) == _reference(report)
