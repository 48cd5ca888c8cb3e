"""A broadcast through each gateway's API shape (Telerivet, RapidPro, Africa's Talking) played by
the gateway simulator, on the real Kafka and PostgreSQL: each recipient texted once in their
language, through the gateway's errors, every final status recorded from that gateway's own
status reports (RapidPro's asked for, the others' called back)."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import httpx
import pytest

from services.common.contracts import events as ev
from tests.integration.messenger.conftest import CALLBACK_SECRET, PHONES, StackFactory, request, settled

pytestmark = pytest.mark.usefixtures("monitors")
TRANSLATIONS = {"ru": "Сообщите явку сейчас", "kk": "Қазір белсенділікті хабарлаңыз"}
FAILED = {
    "telerivet": "Absent subscriber",
    "rapidpro": "rapidpro failed",
    "africastalking": "africastalking Failed (AbsentSubscriber)",
}
ID_SHAPE = {"telerivet": "SM", "rapidpro": "1", "africastalking": "ATXid_"}


@pytest.mark.parametrize("gateway", ["telerivet", "rapidpro", "africastalking"])
async def test_a_broadcast_through_each_gateway_api(
    gateway: str, stack: StackFactory, db: asyncpg.Connection, monitors: dict[str, str]
) -> None:
    # Every third request refused with the API's 500 (retried), numbers ending 13 undelivered.
    async with stack(gateway=gateway, sim={"error_every": 3, "fail_suffix": "13"}) as s:
        broadcast = await request(
            s.shared, ev.Audience(everyone=True), "Report turnout now", translations=TRANSLATIONS
        )
        deliveries = await settled(db, broadcast)
        texted = await s.texted()
    assert Counter(t["to"] for t in texted) == Counter(PHONES)  # each once
    assert {t["api"] for t in texted} == {gateway}
    by_phone = {str(t["to"]): t for t in texted}
    assert by_phone["+442079460001"]["text"] == TRANSLATIONS["kk"]
    assert by_phone["+442079460003"]["text"] == "Report turnout now"
    states = {phone: deliveries[monitors[phone]]["state"] for phone in PHONES}
    assert states == {
        "+442079460001": "delivered",
        "+442079460002": "delivered",
        "+442079460003": "delivered",
        "+442079460013": "failed",
    }
    assert deliveries[monitors["+442079460013"]]["error"] == FAILED[gateway]
    for phone in PHONES:
        row = deliveries[monitors[phone]]
        assert row["gateway_message_id"] == by_phone[phone]["gateway_id"]
        assert str(row["gateway_message_id"]).startswith(ID_SHAPE[gateway])
    assert sum(r["attempts"] for r in deliveries.values()) > len(PHONES)  # some were retried


async def test_a_delivery_report_that_overtakes_the_senders_record_is_applied(
    stack: StackFactory, db: asyncpg.Connection, monitors: dict[str, str]
) -> None:
    """Africa's Talking's reports name only its message id: one arriving before the sender has
    recorded that id is looked for again, not dropped; a stranger's id is answered unmatched."""
    await db.execute(
        """INSERT INTO broadcasts (id, kind, audience, text, requested_by, requested_at, recipients)
           VALUES ('bc-late', 'message', '{}', 'x', 'test', now(), 1)"""
    )
    monitor = monitors["+442079460001"]
    await db.execute(
        """INSERT INTO message_deliveries (broadcast_id, monitor_id, language, state, claimed_at, claimed_by)
           VALUES ('bc-late', $1, 'kk', 'sending', now(), 'another-sender')""",
        monitor,
    )
    report = {"id": "ATXid_late", "status": "Success", "phoneNumber": "+442079460001"}
    async with stack(gateway="africastalking") as s, httpx.AsyncClient(timeout=30) as client:
        url = f"{s.messenger_url}/v1/status/africastalking"
        forged = await client.post(url, params={"secret": "guess"}, data=report)
        posted = asyncio.create_task(client.post(url, params={"secret": CALLBACK_SECRET}, data=report))
        await asyncio.sleep(0.3)
        await db.execute(
            """UPDATE message_deliveries SET state = 'sent', gateway_message_id = 'ATXid_late'
               WHERE broadcast_id = 'bc-late'"""
        )
        answer = await posted
        stranger = await client.post(url, params={"secret": CALLBACK_SECRET}, data=report | {"id": "ATXid_x"})
    assert forged.status_code == 403
    assert (answer.status_code, answer.json()) == (200, {"result": "applied"})
    assert (stranger.status_code, stranger.json()) == (200, {"result": "unmatched"})
    assert (
        await db.fetchval("SELECT state FROM message_deliveries WHERE broadcast_id = 'bc-late'")
        == "delivered"
    )
