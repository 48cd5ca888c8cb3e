"""Webhook forms of common gateways, request bodies, phones and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from services.common.catalog import Lang
from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.settings import ReportingWindow
from services.common.monitors.phones import mask as mask_phone
from services.common.monitors.tokens import hash_token, new_token
from services.ingest import sms_replies
from services.ingest.errors import PayloadError
from services.ingest.monitors import normalize_phone
from services.ingest.openapi import openapi_document
from services.ingest.payload import parse_payload
from services.ingest.sms_commands import SmsError, SmsTurnout, StationRef
from services.ingest.sms_gateways import Gateway, InboundError, parse_sent_at, read_inbound, reply_body
from services.ingest.sms_reports import sms_report
from services.ingest.validation import Context, validate_report
from tests.support.factories import ELECTION_DAY


def test_gateways_are_recognised_by_their_fields() -> None:
    twilio = read_inbound(
        b"From=%2B77011234567&Body=T+0123+450&MessageSid=SM1", "application/x-www-form-urlencoded"
    )
    assert (twilio.gateway, twilio.sender, twilio.text) == (Gateway.TWILIO, "+77011234567", "T 0123 450")
    telerivet = read_inbound(
        b"from_number=%2B7701&content=V+1+BS&secret=s3", "application/x-www-form-urlencoded"
    )
    assert (telerivet.gateway, telerivet.secret) == (Gateway.TELERIVET, "s3")
    rapidpro = read_inbound(orjson.dumps({"from": "tel:+7701", "text": "HELP"}), "application/json")
    assert (rapidpro.gateway, rapidpro.text) == (Gateway.GENERIC, "HELP")
    with pytest.raises(InboundError):
        read_inbound(b"foo=bar", "application/x-www-form-urlencoded")


def test_twilio_replies_are_escaped_twiml() -> None:
    body, media = reply_body(Gateway.TWILIO, "a < b & c", "accepted", None)
    assert media == "application/xml"
    assert b"<Message>a &lt; b &amp; c</Message>" in body


def test_phones_are_normalised_to_e164() -> None:
    assert normalize_phone("tel:+7 (701) 123-45-67") == "+77011234567"
    assert normalize_phone("0077011234567") == "+77011234567"
    assert normalize_phone("77011234567") == "+77011234567"
    assert normalize_phone("12") is None
    assert mask_phone("+77011234567") == "+770******67"


def test_tokens_are_random_and_stored_as_sha256() -> None:
    a, b = new_token(), new_token()
    assert a != b
    assert a.startswith("pw_")
    assert len(a) > 40
    assert len(hash_token(a)) == 64
    assert hash_token(a) == hash_token(a)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'{"reports": []}', "application/json", 400),
        (b'{"reports": {}}', "application/json", 400),
        (b'{"reports": [1, 2, 3]}', "application/json", 413),
        (b"\xff\xff", "application/x-protobuf", 400),
        (b"{}", "text/plain", 415),
        (b"{}", "", 415),
    ],
)
def test_unusable_bodies(body: bytes, content_type: str, status: int) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_payload(body, content_type, max_batch=2)
    assert caught.value.status == status


def test_json_single_and_batch() -> None:
    assert parse_payload(b'{"id": "a"}', "application/json; charset=utf-8", 10).batch is False
    batch = parse_payload(b'{"reports": [{"id": "a"}, {"id": "b"}]}', "application/json", 10)
    assert batch.batch
    assert len(batch.reports) == 2


def test_the_openapi_example_is_a_valid_report() -> None:
    doc = openapi_document()
    example = doc["paths"]["/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["example"]
    ctx = Context("m", frozenset({"ALA-0123"}), {"ALA-0123": 1000}, datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    report = validate_report(example, ctx)
    assert isinstance(report, ev.Report)
    assert report.body == ev.TurnoutUpdate(450, 12)
    assert set(doc["components"]["schemas"]["Report"]["properties"]) == {
        "id",
        "station_id",
        "observed_at",
        "checklist",
        "turnout",
        "incident",
        "protocol",
    }


def test_protobuf_submissions_ignore_server_fields() -> None:
    sent = ev.Report(
        "a", "S", "spoofed-monitor", ev.Channel.REPLAY, ELECTION_DAY, ELECTION_DAY, ev.TurnoutUpdate(3)
    )
    (raw,) = codec.report_submissions_from_proto(codec.encode_report(sent), single=True)
    assert raw == {
        "id": "a",
        "station_id": "S",
        "observed_at": ELECTION_DAY.isoformat(),
        "turnout": {"ballots_issued": 3, "home_voting_applications": 0},
    }


def test_the_phones_send_time_is_read_where_the_gateway_gives_it() -> None:
    generic = read_inbound(
        orjson.dumps({"from": "+77010000001", "text": "T 12 450", "sent_at": "2012-01-15T14:00:00+06:00"}),
        "application/json",
    )
    assert generic.sent_at == datetime(2012, 1, 15, 8, 0, tzinfo=UTC)
    telerivet = read_inbound(b"from_number=%2B77010000001&content=T+12+450&time_created=1326636000", "")
    assert telerivet.sent_at == datetime(2012, 1, 15, 14, 0, tzinfo=UTC)
    twilio = read_inbound(b"From=%2B77010000001&Body=T+12+450&MessageSid=SM1", "")
    assert twilio.sent_at is None
    assert parse_sent_at("2012-01-15T14:00:00") is None  # no zone: ambiguous, so not used
    assert parse_sent_at("yesterday") is None


def test_sms_report_is_placed_at_the_send_time_unless_that_is_in_the_future() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    ctx = Context("mon-1", frozenset({"ALA-0123"}), {"ALA-0123": 1000}, now, channel=ev.Channel.SMS)
    command = SmsTurnout(StationRef("ALA", 123), 450, 12)
    delayed = sms_report(command, ctx, now - timedelta(hours=2))
    assert isinstance(delayed, ev.Report)
    assert delayed.observed_at == now - timedelta(hours=2)
    assert delayed.received_at == now
    on_time = sms_report(command, ctx, None)
    assert isinstance(on_time, ev.Report)
    assert on_time.observed_at == now
    future = sms_report(command, ctx, now + timedelta(hours=1))
    assert isinstance(future, ev.Report)
    assert future.observed_at == now  # a phone clock ahead of ours is not trusted
    assert delayed.id != on_time.id  # different observations, not a resend


def test_an_sms_sent_outside_the_reporting_window_gets_a_reply_saying_so() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    window = ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
    ctx = Context("mon-1", frozenset({"ALA-0123"}), {"ALA-0123": 1000}, now, ev.Channel.SMS, window=window)
    command = SmsTurnout(StationRef("ALA", 123), 450, 12)
    refused = sms_report(command, ctx, datetime(2001, 3, 1, 10, 0, tzinfo=UTC))
    assert isinstance(refused, SmsError)
    assert refused.code == "outside_window"
    assert sms_replies.rejected(refused, Lang.EN) == (
        "NOT SAVED. time: 2001-03-01T10:00:00+00:00 is outside the election's reporting window, "
        "2026-02-28T00:00:00+00:00 to 2026-03-02T00:00:00+00:00."
    )
    assert isinstance(sms_report(command, ctx, now - timedelta(hours=2)), ev.Report)
