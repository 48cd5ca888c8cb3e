from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.contracts.generated.pollwatch.v1 import stats_pb2
from services.common.infra.errors import DecodeError
from tests.support.factories import ELECTION_DAY, protocol, report, turnout

BODIES: list[ev.ReportBody] = [
    ev.TurnoutUpdate(612, 14),
    ev.Checklist(ev.ChecklistPhase.OPENING, {"station_ready": True, "ballot_boxes_sealed": False}, "seal"),
    ev.Incident(ev.ViolationType.CAROUSEL_VOTING, "bus of voters", ("https://e.example/1.jpg",)),
    ev.Incident(ev.ViolationType.BALLOT_STUFFING, "", (), ("ab" * 32, "cd" * 32)),
    protocol(),
    protocol(evidence_ids=("ef" * 32,)),
]


@pytest.mark.parametrize("body", BODIES, ids=lambda b: type(b).__name__)
def test_every_report_body_round_trips(body: ev.ReportBody) -> None:
    original = report(body, flags=frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED}))
    assert codec.decode_report(codec.encode_report(original)) == original


def test_every_violation_type_has_a_wire_value() -> None:
    violations = list(ev.ViolationType)
    assert len(violations) > 1
    decoded = [codec.decode_report(codec.encode_report(report(ev.Incident(v)))).body for v in violations]
    assert decoded == [ev.Incident(v) for v in violations]


def test_timestamps_are_normalised_to_utc() -> None:
    almaty = datetime(2012, 1, 15, 8, 0, tzinfo=UTC).astimezone(timezone(timedelta(hours=6)))
    original = ev.Report("r", "S", "m", ev.Channel.SMS, almaty, almaty, ev.TurnoutUpdate(1))
    decoded = codec.decode_report(codec.encode_report(original))
    assert decoded.observed_at == almaty
    assert decoded.observed_at.utcoffset() == timedelta(0)


def test_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match=r"pollwatch\.v1\.Report"):
        codec.decode_report(b"\xff\xff\xff not protobuf")


def test_report_without_body_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="no body"):
        codec.decode_report(b"\x0a\x01x")  # only field 1 (id)


def test_naive_timestamps_are_refused() -> None:
    naive = report(ev.TurnoutUpdate(1))
    bad = ev.Report(naive.id, "S", "m", ev.Channel.HTTP, datetime(2012, 1, 15), naive.received_at, naive.body)
    with pytest.raises(ValueError, match="timezone"):
        codec.encode_report(bad)


def test_stats_alert_and_dead_letter_round_trip() -> None:
    summary = ev.ProtocolSummary(1000, 640, 638, 630, 8, {"P01": 400}, False, ("valid + invalid != cast",))
    station = ev.StationStats(
        "ALA-0001",
        "ALA",
        1000,
        640,
        64.0,
        3.5,
        12,
        1.2,
        {"family_voting": 2},
        {},
        ELECTION_DAY,
        1,
        summary,
        17,
        ELECTION_DAY,
        silent=True,
    )
    assert codec.decode_station_stats(codec.encode_station_stats(station)) == station
    empty = ev.StationStats("S", "R", 0, 0, 0.0, 0.0, 0, 0.0, {}, {}, None, 0, None, 0, ELECTION_DAY)
    assert codec.decode_station_stats(codec.encode_station_stats(empty)) == empty
    region = ev.RegionStats(
        ev.NATIONAL, 10, 9, 1, 10_000, 6_000, 60.0, 4.0, 1.5, 20.0, {"other": 2}, 3, ELECTION_DAY
    )
    assert codec.decode_region_stats(codec.encode_region_stats(region)) == region
    alert = ev.Alert(
        "turnout_jump:S",
        "turnout_jump",
        ev.Severity.CRITICAL,
        ev.AlertState.RESOLVED,
        ev.AlertTransition.RESOLVED,
        "S",
        "R",
        22.5,
        15.0,
        "jump",
        ("a", "b"),
        ELECTION_DAY,
        ELECTION_DAY + timedelta(hours=1),
        ELECTION_DAY + timedelta(hours=1),
        0.6,
        3,
    )
    assert codec.decode_alert(codec.encode_alert(alert)) == alert
    dead = ev.DeadLetter("sms", 0, 0, b"T 12 4X", "bad number", ELECTION_DAY, "mon-1")
    assert codec.decode_dead_letter(codec.encode_dead_letter(dead)) == dead


def test_encoding_is_deterministic_for_maps() -> None:
    a = report(protocol(votes={"P01": 1, "P02": 2, "P03": 3}))
    b = report(protocol(votes={"P03": 3, "P01": 1, "P02": 2}))
    assert codec.encode_report(a) == codec.encode_report(b)


def test_severity_ranks_order_alerts() -> None:
    assert ev.Severity.INFO.rank < ev.Severity.WARNING.rank < ev.Severity.CRITICAL.rank


text = st.text(min_size=1, max_size=20)
counts = st.integers(min_value=0, max_value=2**32 - 1)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond))


@given(id=text, station=text, ballots=counts, home=counts, observed=moments)
def test_turnout_reports_round_trip(
    id: str, station: str, ballots: int, home: int, observed: datetime
) -> None:
    original = turnout(ballots, home, id=id, station_id=station)
    original = ev.Report(id, station, "m", ev.Channel.HTTP, observed, observed, original.body)
    assert codec.decode_report(codec.encode_report(original)) == original


@given(st.integers(-62_135_596_800, 253_402_300_799), st.integers(0, 999_999_999))
def test_timestamps_decode_as_protobufs_own_conversion(seconds: int, nanos: int) -> None:
    ts = Timestamp(seconds=seconds, nanos=nanos)
    expected = ts.ToDatetime(tzinfo=UTC)
    got = codec._dt(ts)
    assert got == expected
    assert got.tzinfo == expected.tzinfo
    assert got.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("seconds", "nanos"), [(-62_135_596_801, 0), (253_402_300_800, 0), (0, -1)])
def test_out_of_range_timestamps_are_refused_like_protobuf(seconds: int, nanos: int) -> None:
    ts = Timestamp(seconds=seconds, nanos=nanos)
    with pytest.raises(ValueError, match="Timestamp is not valid"):
        ts.ToDatetime(tzinfo=UTC)
    with pytest.raises(ValueError, match="Timestamp is not valid"):
        codec._dt(ts)


def _stats_by_copy(s: ev.StationStats) -> bytes:
    """encode_station_stats as first written (Timestamp objects and maps copied in)."""
    msg = stats_pb2.StationStats(
        station_id=s.station_id, region_id=s.region_id, registered_voters=s.registered_voters,
        ballots_issued=s.ballots_issued, turnout_pct=s.turnout_pct,
        turnout_rate_pp_per_hour=s.turnout_rate_pp_per_hour,
        home_voting_applications=s.home_voting_applications, home_voting_pct=s.home_voting_pct,
        incidents_total=dict(s.incidents_total), incidents_recent=dict(s.incidents_recent),
        open_alerts=s.open_alerts, reports_processed=s.reports_processed,
        updated_at=Timestamp(seconds=int(s.updated_at.timestamp())), silent=s.silent,
    )  # fmt: skip
    if s.last_report_at is not None:
        msg.last_report_at.CopyFrom(Timestamp(seconds=int(s.last_report_at.timestamp())))
    if s.protocol is not None:
        msg.protocol.CopyFrom(codec._summary_to_proto(s.protocol))
    return msg.SerializeToString(deterministic=True)


@given(
    counts=st.dictionaries(
        st.sampled_from(["family_voting", "other", "ballot_stuffing"]), st.integers(0, 99)
    ),
    seconds=st.integers(0, 4_000_000_000),
    last=st.none() | st.integers(0, 4_000_000_000),
    protocol=st.booleans(),
    silent=st.booleans(),
)
def test_station_stats_bytes_as_when_copied(
    counts: dict[str, int], seconds: int, last: int | None, protocol: bool, silent: bool
) -> None:
    at = datetime.fromtimestamp(seconds, UTC)
    summary = ev.ProtocolSummary(1000, 640, 638, 630, 8, {"P01": 400}, True, ()) if protocol else None
    stats = ev.StationStats(
        "S", "R", 1000, 640, 64.0, 3.5, 12, 1.2, counts, dict(list(counts.items())[:1]),
        None if last is None else datetime.fromtimestamp(last, UTC), 1, summary, 17, at, silent=silent,
    )  # fmt: skip
    assert codec.encode_station_stats(stats) == _stats_by_copy(stats)


def test_decoded_party_names_are_shared_not_copied_per_station() -> None:
    """~100,000 stations hold the same names (2011's up to 79 characters): one string each."""
    name = '5. Политическая партия "Российская объединенная демократическая партия "ЯБЛОКО"'
    now = datetime(2011, 12, 4, 18, tzinfo=UTC)
    decoded = [
        codec.decode_report(
            codec.encode_report(
                ev.Report(
                    f"r{i}",
                    f"S{i}",
                    "m",
                    ev.Channel.HTTP,
                    now,
                    now,
                    ev.FinalProtocol(900, 900, 600, 600, 600, 0, {name: 600}, True),
                )
            )
        )
        for i in range(2)
    ]
    keys = [next(iter(r.body.votes)) for r in decoded if isinstance(r.body, ev.FinalProtocol)]
    assert keys == [name, name]
    assert keys[0] is keys[1]
