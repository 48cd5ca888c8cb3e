"""Hypothesis strategies for everything a client or an SMS gateway can send ingest, and the
checks every answer must pass: nothing answered 5xx, every refusal a 4xx naming the field.

Inputs are mostly valid or near-valid (a field or two wrong at a time is the common case)
with junk of any JSON shape mixed in, text with control characters and four-byte characters, numbers past
64 bits, sizes just past each bound, malformed and mutated bodies, every gateway's format.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import orjson
from hypothesis import strategies as st

from services.common.contracts import codec
from services.common.contracts import events as ev

Strategy = st.SearchStrategy[Any]
STATIONS = ("ALA-0123", "ALA-0456", "AKM-0777", "nope")
PHONES = ("+77011234567", "+77019876543", "+77000000000", "tel:+77011234567", "", "not a phone")
BODIES = ("checklist", "turnout", "incident", "protocol")
PROTOCOL_COUNTS = (
    "registered_voters",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "valid_ballots",
    "invalid_ballots",
)
JSON_TYPES = ("application/json", "application/json; charset=utf-8", "APPLICATION/JSON")
PROTOBUF_TYPES = ("application/x-protobuf", "application/x-protobuf; messageType=pollwatch.v1.Report")
OTHER_TYPES = ("text/plain", "", "multipart/form-data; boundary=x", "application/xml")

# Text as people (and broken apps) write it: any character but surrogates, which no JSON
# encoder writes; controls, four-byte characters and direction marks among them.
text = st.sampled_from(
    ["", " ", "a\u0000b", "\u0007bell", "tab\there", "é", "\U0001f5f3" * 3, "\u202e"]
) | st.text(st.characters(codec="utf-8"), max_size=24)
numbers = st.integers(min_value=-(2**70), max_value=2**70) | st.floats()
json_any = st.recursive(
    st.none() | st.booleans() | numbers | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=10,
)
# Values just past a bound or beside a format.
NEAR_MISSES = (
    -1,
    1_000_001,
    2**64,
    1.5,
    "",
    "x" * 5000,
    "a\u0000b",
    "2001-03-04T09:00:00Z",
    "2026-03-01T10:00:00",
    "9999-12-31T23:59:59+14:00",
    "ftp://x",
    {f"k{i}": True for i in range(101)},
    ["https://x"] * 11,
)
# Copies: a report under construction may be changed again, and the samples must not be.
junk = st.sampled_from(NEAR_MISSES).map(copy.deepcopy) | json_any


def _checklist() -> Strategy:
    return st.fixed_dictionaries(
        {
            "phase": st.sampled_from([p.value for p in ev.ChecklistPhase]),
            "answers": st.dictionaries(st.sampled_from(ev.CHECKLIST_ITEMS), st.booleans(), min_size=1),
        },
        optional={"note": text},
    )


def _incident() -> Strategy:
    links = st.lists(st.sampled_from(["https://x.org/1", "http://x.org/2"]), max_size=10)
    return st.fixed_dictionaries(
        {"violation": st.sampled_from([v.value for v in ev.ViolationType])},
        optional={"description": text, "evidence_urls": links},
    )


def _protocol() -> Strategy:
    count = st.integers(0, 1_000_000)
    parties = st.dictionaries(st.from_regex(r"[A-Z][A-Za-z0-9 ]{0,20}", fullmatch=True), count, max_size=5)
    return st.fixed_dictionaries(
        {**dict.fromkeys(PROTOCOL_COUNTS, count), "votes": parties, "copy_received": st.booleans()},
        optional={"home_ballots_issued": count},
    )


def _turnout() -> Strategy:
    count = st.integers(0, 1_000_000)
    return st.fixed_dictionaries({"ballots_issued": count}, optional={"home_voting_applications": count})


_BODY = {"checklist": _checklist(), "turnout": _turnout(), "incident": _incident(), "protocol": _protocol()}


@st.composite
def reports(draw: st.DrawFn, now: datetime) -> Any:
    """A valid report of any kind for the seeded monitor (stations ALA-0123 and ALA-0456),
    observed in the last day; then, in half the draws, one to three of its fields replaced
    by a near miss or junk, dropped, or an unknown one added; once in ten, anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_any)
    kind = draw(st.sampled_from(BODIES))
    ago = draw(st.integers(0, 20 * 3600))
    report: dict[str, Any] = {
        "id": str(draw(st.uuids())),
        "station_id": draw(st.sampled_from(STATIONS[:2])),
        "observed_at": (now - timedelta(seconds=ago)).isoformat(),
        kind: draw(_BODY[kind]),
    }
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        body = report.get(kind)
        inside = isinstance(body, dict) and bool(body) and draw(st.booleans())
        target: dict[str, Any] = body if inside else report  # type: ignore[assignment]
        field = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            target[field] = draw(junk)
        elif action == "drop":
            del target[field]
        else:
            target[draw(st.sampled_from([*BODIES, "monitor_id", "extra"]) | text)] = draw(junk)
    return report


def mostly(usual: Strategy, rare: Strategy, odds: int = 7) -> Strategy:
    """`usual` `odds` times in `odds + 1`, else `rare` (st.one_of weighs its branches alike)."""
    return st.integers(0, odds).flatmap(lambda i: rare if i == 0 else usual)


def json_bytes(value: Any) -> bytes:
    """JSON as a client might write it (numbers past 64 bits included, which orjson cannot)."""
    return json.dumps(value, ensure_ascii=False).encode()


def _proto_sample(now: datetime) -> bytes:
    sample = ev.Report("r-1", "ALA-0123", "", ev.Channel.HTTP, now, now, ev.TurnoutUpdate(10, 1))
    return codec.report_batch_to_proto_bytes([sample])


@st.composite
def report_requests(draw: st.DrawFn, now: datetime) -> tuple[bytes, str]:
    """(body, content type) for POST /v1/reports."""
    shape = draw(st.sampled_from(["single", "batch", "batch", "junk", "bytes", "protobuf"]))
    if shape == "single":
        return json_bytes(draw(reports(now))), draw(st.sampled_from(JSON_TYPES))
    if shape == "batch":
        batch = {"reports": draw(st.lists(reports(now), max_size=6))}
        return json_bytes(batch), draw(st.sampled_from(JSON_TYPES))
    if shape == "junk":
        return json_bytes(draw(json_any)), draw(st.sampled_from(JSON_TYPES + OTHER_TYPES))
    if shape == "bytes":
        return draw(st.binary(max_size=200)), draw(st.sampled_from(JSON_TYPES + PROTOBUF_TYPES + OTHER_TYPES))
    body = bytearray(_proto_sample(now))
    for _ in range(draw(st.integers(0, 3))):  # flip, cut or grow it
        at = draw(st.integers(0, len(body)))
        body[at : at + draw(st.integers(0, 3))] = draw(st.binary(max_size=4))
    return bytes(body), draw(st.sampled_from(PROTOBUF_TYPES))


_count = st.integers(0, 1_000_000)
_well_formed_sms = st.one_of(
    st.builds("T 0123 {} H{}".format, _count, _count),
    st.builds("V 456 {} {}".format, st.sampled_from(["BS", "CV", "OT", "5C"]), text),
    st.builds("O 0123 {} {}".format, st.from_regex(r"[YN]{1,7}", fullmatch=True), text),
    st.builds("P 0123 R{} B{} G{} C{} V{} X{} P1={} COPY".format, *[_count] * 7),
)
_odd_sms = st.one_of(
    st.sampled_from(
        [
            "T 0123 99999999999999999999",
            "V 0123 OT a\u0000b",
            "P 0123 R1 B1 G1 C1 V1 X1 P1=" + "9" * 40 + " COPY",
            "HELP V",
            "T " + "1" * 1601,
        ]
    ),
    st.from_regex(r"[TVROCPHtvrocph0?] ?[0-9OIl]{0,6}( [A-Za-z0-9=:]{1,25}){0,8}", fullmatch=True),
    text,
)
sms_texts = mostly(_well_formed_sms, _odd_sms, odds=1)


def _sent_times(now: datetime) -> Strategy:
    ago = st.integers(-3600, 3600 * 40).map(lambda s: (now - timedelta(seconds=s)).isoformat())
    return ago | st.sampled_from(["1e20", "nan", "-1", "1700000000", "2001-03-04T09:00:00Z", "x"])


@st.composite
def sms_requests(draw: st.DrawFn, now: datetime) -> tuple[bytes, str]:
    """(body, content type) for POST /v1/sms in each gateway's format, or something else; the
    phone is mostly the seeded monitor's."""
    phone = draw(st.sampled_from([PHONES[0]] * 4 + list(PHONES[1:])))
    said = draw(sms_texts)
    sent = draw(st.none() | _sent_times(now))
    form = "application/x-www-form-urlencoded"
    shape = draw(st.sampled_from(["twilio", "telerivet", "generic", "json", "bytes"]))
    if shape == "twilio":
        return urlencode({"From": phone, "Body": said, "MessageSid": "SM1"}).encode(), form
    if shape == "telerivet":
        fields = {"from_number": phone, "content": said, "event": "incoming_message"}
        return urlencode(fields | ({"time_created": sent} if sent else {})).encode(), form
    if shape == "generic":
        return urlencode({"from": phone, "text": said} | ({"sent_at": sent} if sent else {})).encode(), ""
    if shape == "json":
        payload: dict[str, Any] = {"from": phone, "text": said, "sent_at": sent}
        if draw(st.booleans()):
            payload[draw(st.sampled_from(sorted(payload)))] = draw(junk)
        return json_bytes(payload), "application/json"
    return draw(st.binary(max_size=200)), draw(st.sampled_from([form, "application/json", "text/plain"]))


def check_reports_answer(status: int, body: bytes) -> None:
    """POST /v1/reports: never 5xx here (no outage), every refusal names its field."""
    assert status < 500, (status, body)
    data = orjson.loads(body)
    if status in (202, 403, 422):
        assert data["results"], data
        for result in data["results"]:
            for error in result.get("errors", ()):
                assert error["field"], result
                assert error["code"], result
            assert result["status"] != "rejected" or result["errors"], result
        return
    assert status in (400, 401, 413, 415), (status, data)
    assert data["error"]["field"], data
    assert data["error"]["code"], data


def check_sms_answer(status: int, media: str, body: bytes) -> None:
    """POST /v1/sms: every SMS gets a reply (200); only an unreadable webhook call is refused."""
    assert status < 500, (status, body)
    if status == 200:
        if media.startswith("application/xml"):
            message = ElementTree.fromstring(body).find("Message")
            assert message is not None
            assert message.text, body
        else:
            data = orjson.loads(body)
            reply = data["messages"][0]["content"] if "messages" in data else data["reply"]
            assert reply, data
        return
    data = orjson.loads(body)
    assert status in (400, 401, 413), (status, data)
    assert data["error"]["field"], data
