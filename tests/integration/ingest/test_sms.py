"""POST /v1/sms against real Kafka and PostgreSQL: every form round-trips, malformed texts are
answered precisely and kept on the dead-letter topic."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.ingest.conftest import (
    OTHER_PHONE,
    PHONE,
    Seeded,
    dead_letters_on_topic,
    reports_on_topic,
)


async def sms(client: httpx.AsyncClient, text: str, phone: str = PHONE) -> httpx.Response:
    """As RapidPro / Africa's Talking send it (form fields from, text)."""
    return await client.post("/v1/sms", data={"from": phone, "text": text})


FORMS: list[tuple[str, ev.ReportBody, str]] = [
    (
        "T 0123 450 H12",
        ev.TurnoutUpdate(450, 12),
        "OK T ALA-0123: 450 ballots issued, 12 home-voting applications",
    ),
    ("t  O123   46O  h 1l", ev.TurnoutUpdate(460, 11), "OK T ALA-0123: 460 ballots issued, 11 home"),
    ("T 0456 1200", ev.TurnoutUpdate(1200, 0), "(more than registered voters: noted)"),
    ("V 0123 BS", ev.Incident(ev.ViolationType.BALLOT_STUFFING), "ballot stuffing (BS)"),
    (
        "v 456 cv Bus of voters at 10:40",
        ev.Incident(ev.ViolationType.CAROUSEL_VOTING, "Bus of voters at 10:40"),
        "(CV)",
    ),
    (
        "R 0123 YYY",
        ev.Checklist(
            ev.ChecklistPhase.READINESS,
            {"station_ready": True, "voter_list_available": True, "monitor_allowed_to_observe": True},
        ),
        "readiness: 3 yes, 0 no",
    ),
    (
        "0 0123 YYYNYYY seal broken",
        ev.Checklist(
            ev.ChecklistPhase.OPENING,
            {
                "station_ready": True,
                "voter_list_available": True,
                "monitor_allowed_to_observe": True,
                "ballot_boxes_sealed": False,
                "clear_view_of_ballot_box": True,
                "voting_booths_private": True,
                "unused_ballots_cancelled": True,
            },
            "seal broken",
        ),
        "opening: 6 yes, 1 no (NO to 4)",
    ),
    (
        "C ALA-0456 1Y 7N",
        ev.Checklist(ev.ChecklistPhase.CLOSING, {"station_ready": True, "unused_ballots_cancelled": False}),
        "closing: 1 yes, 1 no",
    ),
    (
        "P 0123 R1000 B1000 G640 C638 V630 X8 P1=400 P2=230 NOCOPY",
        ev.FinalProtocol(1000, 1000, 640, 638, 630, 8, {"P01": 400, "P02": 230}, False),
        "copy REFUSED",
    ),
]


async def test_every_form_round_trips(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    replies = {}
    for text, _, expected in FORMS:
        answer = await sms(client, text)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "accepted", (text, answer.json())
        assert expected in answer.json()["reply"], answer.json()["reply"]
        replies[answer.json()["report_id"]] = text
    # The same text again (a resend from the phone) is recognised.
    again = await sms(client, "T  0123 450  h12")
    assert again.json()["status"] == "duplicate"
    assert again.json()["reply"].startswith("Already received")
    on_topic = await reports_on_topic(shared_settings)
    assert len(on_topic) == len(FORMS)
    by_text = {replies[r.id]: r for r in on_topic}
    for text, body, _ in FORMS:
        report = by_text[text]
        assert report.body == body, text
        assert report.channel is ev.Channel.SMS
        assert report.monitor_id == seeded.monitor_id
    assert by_text["T 0456 1200"].flags == frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})


MALFORMED: list[tuple[str, str, str]] = [
    ("", "empty", "Empty message"),
    ("Z 0123 450", "unknown_form", "Unknown form code 'Z'"),
    ("T", "no_station", "Station number missing"),
    ("T abc 450", "bad_station", "'abc' is not a station number"),
    ("T 0123", "no_ballots", "Number of ballots issued missing"),
    ("T 0123 450 12", "extra_number", "put H before home-voting applications"),
    ("T 0123 450 H12 H13", "repeated", "H is given twice"),
    (
        "T 0999 450",
        "station_not_assigned",
        "Station 0999 is not one of your stations (yours: ALA-0123, ALA-0456)",
    ),
    ("V 0123", "no_violation", "Violation code missing"),
    ("V 0123 XX", "unknown_violation", "Unknown violation code 'XX'"),
    ("O 0123 maybe", "no_answers", "Answers missing"),
    ("P 0123 R1000 B1000 G640", "missing", "Missing: C V X"),
    ("P 0123 R1000 B1000 G640 C638 V630 X8 P1=400", "no_copy", "Add COPY"),
    ("T 0123 9999999", "impossible", "ballots issued: 9999999 is more than any polling station could count"),
    ("T 0123 99999999999999999999", "impossible", "9999999999... is more than any polling station"),
]


async def test_malformed_texts_get_precise_replies_and_are_dead_lettered(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    for text, _, expected in MALFORMED:
        answer = await sms(client, text)
        assert answer.status_code == 200
        assert answer.json()["status"] == "rejected"
        assert answer.json()["reply"].startswith("NOT SAVED.")
        assert expected in answer.json()["reply"], (text, answer.json()["reply"])
    unknown = await sms(client, "T 0123 450", phone="+77000000000")
    assert "not registered" in unknown.json()["reply"]
    letters = await dead_letters_on_topic(shared_settings)
    assert [(dl.payload.decode(), dl.error.split(":")[0]) for dl in letters[:-1]] == [
        (t, c) for t, c, _ in MALFORMED
    ]
    assert {dl.sender for dl in letters[:-1]} == {seeded.monitor_id}
    assert letters[-1].sender == ""
    assert letters[-1].error.startswith("unknown_sender")
    assert all(dl.source == "sms" for dl in letters)
    assert not any("7701" in dl.error or "7701" in dl.payload.decode() for dl in letters)
    assert await reports_on_topic(shared_settings) == []


async def test_help_gets_examples_and_is_not_a_report(client: httpx.AsyncClient, seeded: Seeded) -> None:
    answer = await sms(client, "help v")
    assert "V 0123 BS" in answer.json()["reply"]
    assert "BS stuffing, CV carousel, FV family voting" in answer.json()["reply"]


@pytest.mark.parametrize(
    ("form", "media"),
    [
        ({"From": PHONE, "Body": "T 0123 450", "MessageSid": "SM1"}, "application/xml"),
        ({"from_number": PHONE, "content": "T 0123 451", "event": "incoming_message"}, "application/json"),
    ],
)
async def test_gateway_formats(
    client: httpx.AsyncClient, seeded: Seeded, form: dict[str, str], media: str
) -> None:
    answer = await client.post("/v1/sms", data=form)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    if media == "application/xml":
        assert "<Response><Message>OK T ALA-0123: 450 ballots issued" in answer.text
    else:
        assert answer.json()["messages"][0]["content"].startswith("OK T ALA-0123: 451 ballots issued")


async def test_a_check_in_reply_marks_the_monitor_present_in_their_language(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection, shared_settings: SharedSettings
) -> None:
    await db.execute("UPDATE monitors SET lang = 'kk' WHERE id = $1", seeded.monitor_id)
    answer = await sms(client, "OK")
    assert answer.status_code == 200
    assert answer.json()["status"] == "checked_in"
    assert answer.json()["reply"] == "Қабылданды: сіз учаскеде белгілендіңіз. Рақмет."
    # A monitor without a language of their own is answered in the language of their word.
    russian = await sms(client, "Да.", phone=OTHER_PHONE)
    assert russian.json()["reply"] == "Принято: вы отмечены на участке. Спасибо."
    rows = await db.fetch("SELECT monitor_id, channel FROM monitor_checkins ORDER BY id")
    assert [(r["monitor_id"], r["channel"]) for r in rows] == [
        (seeded.monitor_id, "sms"),
        (seeded.other_id, "sms"),
    ]
    # Neither is a report nor a dead letter.
    assert await reports_on_topic(shared_settings) == []
    assert await dead_letters_on_topic(shared_settings) == []
