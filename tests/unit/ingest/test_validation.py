"""JSON validation: clear errors per field, flags, and never a crash (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.settings import ReportingWindow
from services.ingest.validation import MAX_NAME_CHARS, Context, Rejected, validate_report

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
CTX = Context("mon-1", frozenset({"ALA-0123"}), {"ALA-0123": 1000, "AKM-0001": 500}, NOW)


def payload(**body: Any) -> dict[str, Any]:
    return {"id": "r-1", "station_id": "ALA-0123", "observed_at": "2026-03-01T10:00:00+06:00", **body}


def errors(raw: object) -> list[tuple[str, str]]:
    result = validate_report(raw, CTX)
    assert isinstance(result, Rejected), result
    return [(e.field, e.code) for e in result.errors]


def test_a_turnout_report_becomes_an_event() -> None:
    report = validate_report(payload(turnout={"ballots_issued": 450, "home_voting_applications": 12}), CTX)
    assert report == ev.Report(
        "r-1", "ALA-0123", "mon-1", ev.Channel.HTTP, NOW, NOW, ev.TurnoutUpdate(450, 12)
    )


def test_turnout_above_registered_is_flagged_not_rejected() -> None:
    report = validate_report(payload(turnout={"ballots_issued": 1001}), CTX)
    assert isinstance(report, ev.Report)
    assert report.flags == frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], [("", "not_an_object")]),
        (payload(), [("", "one_body")]),
        (payload(turnout={"ballots_issued": 1}, incident={"violation": "other"}), [("", "one_body")]),
        (payload(turnout={"ballots_issued": -1}), [("turnout.ballots_issued", "negative")]),
        (payload(turnout={"ballots_issued": 1.5}), [("turnout.ballots_issued", "not_an_integer")]),
        (payload(turnout={"ballots_issued": True}), [("turnout.ballots_issued", "not_an_integer")]),
        (payload(turnout={"ballots_issued": 10**9}), [("turnout.ballots_issued", "impossible")]),
        (payload(turnout={}), [("turnout.ballots_issued", "required")]),
        (payload(turnout={"ballots_issued": 1, "extra": 2}), [("turnout.extra", "unknown_field")]),
        (payload(incident={"violation": "bribery"}), [("incident.violation", "unknown_violation")]),
        (
            payload(incident={"violation": "other", "evidence_urls": ["ftp://x"]}),
            [("incident.evidence_urls[0]", "bad_url")],
        ),
        (
            payload(incident={"violation": "other", "evidence_ids": ["a" * 64, "A" * 64, 7]}),
            [
                ("incident.evidence_ids[1]", "bad_evidence_id"),
                ("incident.evidence_ids[2]", "bad_evidence_id"),
            ],
        ),
        (
            payload(incident={"violation": "other", "evidence_ids": "a" * 64}),
            [("incident.evidence_ids", "not_a_list")],
        ),
        (
            payload(checklist={"phase": "noon", "answers": {"station_ready": True}}),
            [("checklist.phase", "unknown_phase")],
        ),
        (
            payload(checklist={"phase": "opening", "answers": {"station_ready": "yes"}}),
            [("checklist.answers.station_ready", "not_a_boolean")],
        ),
        (
            {**payload(turnout={"ballots_issued": 1}), "station_id": "XXX"},
            [("station_id", "unknown_station")],
        ),
        (
            {**payload(turnout={"ballots_issued": 1}), "station_id": "AKM-0001"},
            [("station_id", "station_not_assigned")],
        ),
        (
            {**payload(turnout={"ballots_issued": 1}), "observed_at": "2026-03-01T10:00:00"},
            [("observed_at", "timezone_missing")],
        ),
        (
            {**payload(turnout={"ballots_issued": 1}), "observed_at": "yesterday"},
            [("observed_at", "bad_time")],
        ),
        (
            {**payload(turnout={"ballots_issued": 1}), "observed_at": "2026-03-01T04:10:00Z"},
            [("observed_at", "in_future")],
        ),
        ({**payload(turnout={"ballots_issued": 1}), "id": "has space"}, [("id", "bad_id")]),
        ({**payload(turnout={"ballots_issued": 1}), "monitor_id": "m"}, [("monitor_id", "unknown_field")]),
    ],
)
def test_each_problem_names_its_field(raw: object, expected: list[tuple[str, str]]) -> None:
    assert errors(raw) == expected


def test_a_protocol_with_inconsistent_arithmetic_is_accepted_for_the_aggregator_to_flag() -> None:
    body = {
        "registered_voters": 1000,
        "ballots_received": 900,
        "ballots_issued": 950,  # more than received: evidence, not a typing error
        "ballots_cast": 990,
        "valid_ballots": 980,
        "invalid_ballots": 10,
        "votes": {"P01": 600, "P02": 380},
        "copy_received": False,
    }
    report = validate_report(payload(protocol=body), CTX)
    assert isinstance(report, ev.Report)
    assert report.body == ev.FinalProtocol(1000, 900, 950, 990, 980, 10, {"P01": 600, "P02": 380}, False)


def test_photos_are_referenced_by_their_sha256_from_incidents_and_protocols() -> None:
    photo = "0123456789abcdef" * 4
    incident = validate_report(
        payload(incident={"violation": "ballot_stuffing", "evidence_ids": [photo]}), CTX
    )
    assert isinstance(incident, ev.Report)
    assert incident.body == ev.Incident(ev.ViolationType.BALLOT_STUFFING, "", (), (photo,))
    counts = dict.fromkeys(("registered_voters", "ballots_received", "ballots_issued", "ballots_cast"), 10)
    body = counts | {"valid_ballots": 9, "invalid_ballots": 1, "votes": {"P01": 9}, "copy_received": True}
    protocol = validate_report(payload(protocol=body | {"evidence_ids": [photo]}), CTX)
    assert isinstance(protocol, ev.Report)
    assert isinstance(protocol.body, ev.FinalProtocol)
    assert protocol.body.evidence_ids == (photo,)
    (raw,) = codec.report_submissions_from_proto(codec.report_batch_to_proto_bytes([protocol]))
    assert validate_report(raw, CTX) == protocol


def test_the_protobuf_form_is_validated_the_same_way() -> None:
    sent = ev.Report(
        "r-9", "ALA-0123", "x", ev.Channel.SMS, NOW, NOW, ev.Incident(ev.ViolationType.FAMILY_VOTING, "d")
    )
    (raw,) = codec.report_submissions_from_proto(codec.report_batch_to_proto_bytes([sent]))
    report = validate_report(raw, CTX)
    assert report == ev.Report("r-9", "ALA-0123", "mon-1", ev.Channel.HTTP, NOW, NOW, sent.body)
    unset = ev.Report("", "ALA-0123", "", ev.Channel.HTTP, NOW, NOW, ev.TurnoutUpdate(1))
    (raw,) = codec.report_submissions_from_proto(codec.report_batch_to_proto_bytes([unset]))
    assert ("id", "required") in errors(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    ["id", "station_id", "observed_at", "checklist", "turnout", "incident", "protocol", "x"]
)
body_keys = st.sampled_from(
    [
        "ballots_issued",
        "home_voting_applications",
        "phase",
        "answers",
        "violation",
        "votes",
        "copy_received",
        "note",
    ]
)
near_reports = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=10) | json_values,
        "station_id": st.sampled_from(["ALA-0123", "AKM-0001", "nope"]) | json_values,
        "observed_at": st.sampled_from(["2026-03-01T09:00:00+06:00", "2026-03-01T09:00:00", "x"])
        | json_values,
        "turnout": st.dictionaries(body_keys, json_values, max_size=3) | json_values,
        "incident": st.dictionaries(body_keys, json_values, max_size=3) | json_values,
        "checklist": st.dictionaries(body_keys, json_values, max_size=3) | json_values,
        "protocol": st.dictionaries(body_keys, json_values, max_size=4) | json_values,
    },
)


@settings(max_examples=400)
@given(st.one_of(json_values, near_reports, st.dictionaries(keys, json_values)))
def test_any_input_gives_a_report_or_clear_errors(raw: object) -> None:
    result = validate_report(raw, CTX)
    if isinstance(result, Rejected):
        assert result.errors
        for e in result.errors:
            assert e.code
            assert e.message
    else:
        assert codec.decode_report(codec.encode_report(result)) == result


@given(st.integers(min_value=0, max_value=1_000_000), st.integers(min_value=0, max_value=1_000_000))
def test_valid_turnout_always_passes(ballots: int, home: int) -> None:
    report = validate_report(
        payload(turnout={"ballots_issued": ballots, "home_voting_applications": home}), CTX
    )
    assert isinstance(report, ev.Report)
    assert report.body == ev.TurnoutUpdate(ballots, home)
    assert (ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED in report.flags) == (ballots > 1000)


def test_observed_at_keeps_its_timezone() -> None:
    report = validate_report(payload(turnout={"ballots_issued": 1}), CTX)
    assert isinstance(report, ev.Report)
    assert report.observed_at == NOW + timedelta(hours=0)
    assert report.observed_at.utcoffset() == timedelta(hours=6)


# The longest contestant name in the replayed elections: a 2011 State Duma party, 79 characters.
YABLOKO_2011 = '5. Политическая партия "Российская объединенная демократическая партия "ЯБЛОКО"'


def protocol_with(votes: dict[str, int]) -> dict[str, Any]:
    total = sum(votes.values())
    return payload(
        protocol={
            "registered_voters": 1000,
            "ballots_received": 1000,
            "ballots_issued": total,
            "ballots_cast": total,
            "valid_ballots": total,
            "invalid_ballots": 0,
            "votes": votes,
            "copy_received": True,
        }
    )


def test_contestant_names_as_the_commission_prints_them_are_accepted() -> None:
    votes = {YABLOKO_2011: 40, "Путин Владимир Владимирович": 500, "Ж" * MAX_NAME_CHARS: 3}
    report = validate_report(protocol_with(votes), CTX)
    assert isinstance(report, ev.Report)
    assert isinstance(report.body, ev.FinalProtocol)
    assert dict(report.body.votes) == votes
    assert codec.decode_report(codec.encode_report(report)) == report


@pytest.mark.parametrize("name", ["", "x" * (MAX_NAME_CHARS + 1)])
def test_an_empty_or_overlong_name_is_refused_with_the_limit(name: str) -> None:
    result = validate_report(protocol_with({name: 1}), CTX)
    assert isinstance(result, Rejected)
    assert [(e.field, e.code) for e in result.errors] == [(f"protocol.votes.{name}", "bad_party")]
    assert f"1-{MAX_NAME_CHARS} characters" in result.errors[0].message


WINDOW = ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("observed_at", "code", "message"),
    [
        (
            "2001-03-01T10:00:00+06:00",
            "outside_window",
            "2001-03-01T10:00:00+06:00 is outside the election's reporting window, "
            "2026-02-28T00:00:00+00:00 to 2026-03-02T00:00:00+00:00",
        ),
        ("2026-02-27T23:59:59Z", "outside_window", None),
        ("2026-03-01T04:06:00Z", "in_future", "is 360 s ahead of the server's clock (at most 300 s)"),
        ("2026-02-28T00:00:00Z", None, None),
        ("2026-03-01T04:05:00Z", None, None),
    ],
)
def test_observed_at_must_lie_in_the_reporting_window_and_not_ahead(
    observed_at: str, code: str | None, message: str | None
) -> None:
    ctx = replace(CTX, window=WINDOW)
    result = validate_report({**payload(turnout={"ballots_issued": 1}), "observed_at": observed_at}, ctx)
    if code is None:
        assert isinstance(result, ev.Report)
        return
    assert isinstance(result, Rejected)
    assert [(e.field, e.code) for e in result.errors] == [("observed_at", code)]
    if message is not None:
        assert message in result.errors[0].message
