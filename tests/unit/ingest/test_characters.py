"""Control characters: free text is cleaned, codes are refused, and every report ingest accepts
holds only text PostgreSQL can store (services/ingest/characters.py)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.ingest.characters import clean, control_character
from services.ingest.sms_gateways import Gateway, reply_body
from services.ingest.validation import Context, Rejected, validate_report

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
CTX = Context("mon-1", frozenset({"ALA-0123"}), {"ALA-0123": 1000}, NOW)
# Every code point, surrogates included (hypothesis leaves those out by default).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
KEPT_CONTROLS = "\t\n\r"


def unkept(c: str) -> bool:
    return (unicodedata.category(c) in ("Cc", "Cs") and c not in KEPT_CONTROLS) or c in "\ufffe\uffff"


def report(**body: Any) -> dict[str, Any]:
    return {"id": "r-1", "station_id": "ALA-0123", "observed_at": "2026-03-01T10:00:00+06:00", **body}


@given(any_text)
def test_clean_removes_exactly_the_control_characters(text: str) -> None:
    cleaned = clean(text)
    assert cleaned == "".join(c for c in text if not unkept(c))
    cleaned.encode()  # no surrogate left: encodable UTF-8
    assert clean(cleaned) == cleaned


@given(any_text)
def test_a_code_with_a_control_character_is_named(text: str) -> None:
    found = control_character(text)
    expected = next((c for c in text if unkept(c) or c in KEPT_CONTROLS), None)
    assert found == (None if expected is None else f"U+{ord(expected):04X}")


@settings(max_examples=300)
@given(any_text, any_text)
def test_free_text_is_accepted_cleaned_and_encodable(description: str, note: str) -> None:
    incident = validate_report(report(incident={"violation": "other", "description": description}), CTX)
    checklist = validate_report(
        report(checklist={"phase": "opening", "answers": {"station_ready": True}, "note": note}), CTX
    )
    assert isinstance(incident, ev.Report)
    assert isinstance(checklist, ev.Report)
    assert isinstance(incident.body, ev.Incident)
    assert isinstance(checklist.body, ev.Checklist)
    assert incident.body.description == clean(description)
    assert checklist.body.note == clean(note)
    for accepted in (incident, checklist):
        assert codec.decode_report(codec.encode_report(accepted)) == accepted


def test_nul_in_a_description_is_removed() -> None:
    accepted = validate_report(report(incident={"violation": "other", "description": "a\u0000b\nc"}), CTX)
    assert isinstance(accepted, ev.Report)
    assert accepted.body == ev.Incident(ev.ViolationType.OTHER, "ab\nc")


def test_a_party_code_or_link_with_a_control_character_is_refused_by_name() -> None:
    counts = dict.fromkeys(
        (
            "registered_voters",
            "ballots_received",
            "ballots_issued",
            "ballots_cast",
            "valid_ballots",
            "invalid_ballots",
        ),
        10,
    )
    protocol = {**counts, "votes": {"P\u000001": 5, "P02": 5}, "copy_received": True}
    refused = validate_report(report(protocol=protocol), CTX)
    assert isinstance(refused, Rejected)
    assert [(e.field, e.code, e.message) for e in refused.errors] == [
        ("protocol.votes.P\u000001", "control_character", "contains U+0000, a control character")
    ]
    link = {"violation": "other", "evidence_urls": ["https://x/\u0007"]}
    refused = validate_report(report(incident=link), CTX)
    assert isinstance(refused, Rejected)
    assert [(e.field, e.code) for e in refused.errors] == [("incident.evidence_urls[0]", "control_character")]


@given(any_text)
def test_every_reply_is_well_formed_in_each_gateways_format(quoted: str) -> None:
    reply = f"NOT SAVED. Did not understand '{quoted}'."
    expected = clean(reply)
    xml, _ = reply_body(Gateway.TWILIO, reply, "rejected", None)
    message = ElementTree.fromstring(xml).find("Message")
    assert message is not None
    # An XML parser reads every line end as a line feed.
    assert message.text == expected.replace("\r\n", "\n").replace("\r", "\n")
    telerivet, _ = reply_body(Gateway.TELERIVET, reply, "rejected", None)
    assert orjson.loads(telerivet)["messages"][0]["content"] == expected
    generic, _ = reply_body(Gateway.GENERIC, reply, "rejected", None)
    assert orjson.loads(generic)["reply"] == expected
