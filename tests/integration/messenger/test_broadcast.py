"""Broadcasts through the messenger and the gateway simulator, on the real Kafka and PostgreSQL:
each recipient once, in their language, retried past the gateway's errors, every status recorded."""

from __future__ import annotations

from collections import Counter

import asyncpg
import pytest

from services.common.contracts import events as ev
from tests.integration.messenger.conftest import PHONES, StackFactory, request, settled

pytestmark = pytest.mark.usefixtures("monitors")
TRANSLATIONS = {"ru": "Сообщите явку сейчас", "kk": "Қазір белсенділікті хабарлаңыз"}


async def test_everyone_once_in_their_language_through_errors_and_failures(
    stack: StackFactory, db: asyncpg.Connection, monitors: dict[str, str]
) -> None:
    # A monitor without a language of their own gets the messenger's default language.
    await db.execute("UPDATE monitors SET lang = NULL WHERE phone = '+442079460013'")
    # Every third request answered 500 (not taken: retried), numbers ending 13 undelivered.
    async with stack(
        sim={"error_every": 3, "fail_suffix": "13", "callback_secret": "cb"},
        callback_secret="cb",
        default_language="ru",
    ) as s:
        broadcast = await request(
            s.shared, ev.Audience(everyone=True), "Report turnout now", translations=TRANSLATIONS
        )
        deliveries = await settled(db, broadcast)
        texted = await s.texted()
    assert Counter(t["to"] for t in texted) == Counter(PHONES)  # each once
    by_phone = {t["to"]: t for t in texted}
    assert by_phone["+442079460001"]["text"] == TRANSLATIONS["kk"]
    assert by_phone["+442079460002"]["text"] == TRANSLATIONS["ru"]
    assert by_phone["+442079460003"]["text"] == "Report turnout now"  # no English translation
    assert by_phone["+442079460013"]["text"] == TRANSLATIONS["ru"]
    states = {phone: deliveries[monitors[phone]]["state"] for phone in PHONES}
    assert states == {
        "+442079460001": "delivered",
        "+442079460002": "delivered",
        "+442079460003": "delivered",
        "+442079460013": "failed",
    }
    assert deliveries[monitors["+442079460013"]]["error"] == "unreachable handset"
    assert sum(r["attempts"] for r in deliveries.values()) > len(PHONES)  # some were retried
    assert all(
        r["gateway_message_id"] == by_phone[p]["gateway_id"]
        for p, r in ((p, deliveries[monitors[p]]) for p in PHONES)
    )
    assert await db.fetchval("SELECT recipients FROM broadcasts WHERE id = $1", broadcast) == 4


async def test_twilio_shape_with_signed_callbacks(stack: StackFactory, db: asyncpg.Connection) -> None:
    async with stack(gateway="twilio", sim={"fail_suffix": "13"}) as s:
        broadcast = await request(s.shared, ev.Audience(region_ids=("AST",)))
        deliveries = await settled(db, broadcast)
        texted = await s.texted()
    assert sorted(str(t["to"]) for t in texted) == ["+442079460003", "+442079460013"]
    assert all(t["api"] == "twilio" and str(t["gateway_id"]).startswith("SM") for t in texted)
    assert sorted(r["state"] for r in deliveries.values()) == ["delivered", "failed"]
    failed = next(r for r in deliveries.values() if r["state"] == "failed")
    assert failed["error"] == "twilio undelivered (error 30003)"


async def test_audiences(stack: StackFactory, db: asyncpg.Connection, monitors: dict[str, str]) -> None:
    await db.execute(
        """INSERT INTO alerts (id, rule, severity, state, station_id, region_id, value, threshold, message,
                               opened_at, updated_at)
           VALUES ('A1', 'turnout_jump', 'critical', 'open', 'ALA-0002', 'ALA', 1, 1, 'x', now(), now())"""
    )
    await db.execute(
        """INSERT INTO station_stats (station_id, region_id, registered_voters, ballots_issued, turnout_pct,
               turnout_rate_pp_per_hour, home_voting_applications, home_voting_pct, silent, updated_at)
           VALUES ('AST-0001', 'AST', 1000, 0, 0, 0, 0, 0, true, now())"""
    )
    cases = {
        "open alerts": (ev.Audience(open_alert_stations=True), {"+442079460002"}),
        "silent": (ev.Audience(silent_stations=True), {"+442079460003", "+442079460013"}),
        "stations": (
            ev.Audience(station_ids=("ALA-0001", "AST-0001")),
            {"+442079460001", "+442079460003", "+442079460013"},
        ),
        "monitors": (ev.Audience(monitor_ids=(monitors["+442079460002"],)), {"+442079460002"}),
        "within a scope": (
            ev.Audience(everyone=True, within_regions=("ALA",)),
            {"+442079460001", "+442079460002"},
        ),
    }
    async with stack() as s:
        ids = {name: await request(s.shared, audience) for name, (audience, _) in cases.items()}
        reached = {name: set(await settled(db, ids[name])) for name in cases}
    assert reached == {name: {monitors[p] for p in phones} for name, (_, phones) in cases.items()}


async def test_a_redelivered_request_changes_nothing(stack: StackFactory, db: asyncpg.Connection) -> None:
    async with stack() as s:
        first = await request(s.shared, ev.Audience(region_ids=("ALA",)))
        await settled(db, first)
        await request(s.shared, ev.Audience(everyone=True), id=first)  # same id, other audience
        again = await request(s.shared, ev.Audience(region_ids=("ALA",)))
        await settled(db, again)
        texted = await s.texted()
    assert await db.fetchval("SELECT count(*) FROM message_deliveries WHERE broadcast_id = $1", first) == 2
    assert len(texted) == 4  # two for each broadcast, none for the repeated request
