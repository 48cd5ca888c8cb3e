"""Free text as ingest keeps it fits PostgreSQL's text and jsonb, for every code point; and a
NUL sent over HTTP or SMS reaches Kafka cleaned, the report accepted."""

from __future__ import annotations

from urllib.parse import quote

import asyncpg
import httpx
import orjson
import pytest

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.ingest.characters import clean
from tests.integration.ingest.conftest import PHONE, Seeded, reports_on_topic

EVERY_CODE_POINT = "".join(map(chr, range(0x110000)))


async def test_every_character_ingest_keeps_is_storable_as_text_and_jsonb(db: asyncpg.Connection) -> None:
    kept = clean(EVERY_CODE_POINT)
    body = orjson.dumps({"description": kept}).decode()
    stored = await db.fetchrow("SELECT $1::text AS text, ($2::jsonb)->>'description' AS json", kept, body)
    assert stored is not None
    assert stored["text"] == kept
    assert stored["json"] == kept
    # What it leaves out is what PostgreSQL refuses, among others.
    with pytest.raises(asyncpg.PostgresError):
        await db.fetchval("SELECT ($1::jsonb)->>'d'", orjson.dumps({"d": "a\u0000b"}).decode())


async def test_a_nul_in_an_sms_or_a_json_report_is_removed_and_the_report_accepted(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    form = f"from={quote(PHONE)}&text=V+0123+OT+a%00b"  # the gateway passes the NUL on
    texted = await client.post("/v1/sms", content=form.encode())
    assert texted.json()["status"] == "accepted", texted.json()
    sent = {
        "id": "nul-1",
        "station_id": "ALA-0456",
        "observed_at": "2026-03-01T10:00:00+06:00",
        "checklist": {"phase": "opening", "answers": {"station_ready": True}, "note": "seal\u0000 ok"},
    }
    posted = await client.post("/v1/reports", json=sent, headers={"Authorization": f"Bearer {seeded.token}"})
    assert posted.status_code == 202, posted.json()
    bodies = {r.station_id: r.body for r in await reports_on_topic(shared_settings)}
    assert bodies["ALA-0123"] == ev.Incident(ev.ViolationType.OTHER, "ab")
    assert bodies["ALA-0456"] == ev.Checklist(ev.ChecklistPhase.OPENING, {"station_ready": True}, "seal ok")
