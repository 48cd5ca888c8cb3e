"""GET /v1/me/messages on the real PostgreSQL: the coordinators' messages the messenger recorded
for the signed-in monitor, in its language, newest first, and never another monitor's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from services.common.broadcasts import new_broadcast_id
from services.common.contracts import events as ev
from services.messenger.audience import record_broadcast
from tests.integration.ingest.conftest import Seeded
from tests.integration.ingest.test_monitor_app_api import auth

START = datetime(2026, 3, 15, 6, 0, tzinfo=UTC)


async def broadcast(
    db: asyncpg.Connection,
    audience: ev.Audience,
    text: str,
    minutes: int,
    kind: ev.BroadcastKind = ev.BroadcastKind.MESSAGE,
    **translations: str,
) -> str:
    """Records a broadcast requested `minutes` after START as the messenger does; returns its id."""
    b = ev.Broadcast(
        new_broadcast_id(),
        kind,
        audience,
        text,
        translations,
        "cli:coordinator",
        START + timedelta(minutes=minutes),
    )
    assert await record_broadcast(db, b) is not None
    return b.id


def texts(answer: httpx.Response) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    return [(m["language"], m["text"]) for m in answer.json()["messages"]]


async def test_a_monitor_reads_exactly_its_own_messages_in_its_language_newest_first(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE monitors SET lang = 'kk' WHERE id = $1", seeded.monitor_id)
    turnout = await broadcast(
        db, ev.Audience(station_ids=("ALA-0123",)), "Report turnout at 11:00", 0,
        kk="Сағат 11:00-де келгендер санын жіберіңіз", ru="Сообщите явку в 11:00",
    )  # fmt: skip
    await broadcast(
        db, ev.Audience(everyone=True), "Polls close at 20:00", 60, ru="Участки закрываются в 20:00"
    )
    await broadcast(db, ev.Audience(monitor_ids=(seeded.other_id,)), "Only for Monitor B", 90)
    await broadcast(db, ev.Audience(everyone=True), "", 120, ev.BroadcastKind.CHECKIN)

    mine = await client.get("/v1/me/messages", headers=auth(seeded.token))
    assert texts(mine) == [("kk", "Polls close at 20:00"), ("kk", "Сағат 11:00-де келгендер санын жіберіңіз")]
    assert mine.json()["messages"][1] == {
        "id": turnout,
        "sent_at": START.isoformat(),
        "language": "kk",
        "text": "Сағат 11:00-де келгендер санын жіберіңіз",
    }
    others = await client.get("/v1/me/messages", headers=auth(seeded.other_token))
    assert texts(others) == [("en", "Only for Monitor B"), ("en", "Polls close at 20:00")]

    assert (await client.get("/v1/me/messages")).status_code == 401
    refused = await client.get("/v1/me/messages", headers=auth("pw_not-a-token"))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_token"
    spec = (await client.get("/openapi.json")).json()
    assert spec["paths"]["/v1/me/messages"]["get"]["security"] == [{"bearer": []}]


async def test_only_the_newest_twenty_messages_are_sent(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection
) -> None:
    for minute in range(25):
        await broadcast(db, ev.Audience(everyone=True), f"Message {minute}", minute)
    answer = await client.get("/v1/me/messages", headers=auth(seeded.token))
    assert [text for _, text in texts(answer)] == [f"Message {m}" for m in range(24, 4, -1)]
