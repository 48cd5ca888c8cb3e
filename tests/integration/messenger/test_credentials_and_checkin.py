"""Login links by SMS (a new token each, the old one revoked) and a check-in answered by the
simulated monitors through the real ingest service, which marks them present."""

from __future__ import annotations

import asyncio
import re
import time

import asyncpg
import pytest

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.monitors.changes import issue_tokens
from services.common.monitors.tokens import hash_token
from services.ingest.app import create_app as ingest_app
from tests.integration.ingest.conftest import ingest_settings
from tests.integration.messenger.conftest import StackFactory, request, settled
from tests.support.asgi_server import serving

pytestmark = pytest.mark.usefixtures("monitors")


async def test_credentials_by_sms_issue_a_new_token_and_revoke_the_old(
    stack: StackFactory, db: asyncpg.Connection, monitors: dict[str, str]
) -> None:
    monitor = monitors["+442079460002"]  # Russian
    (old,) = (await issue_tokens(db, [monitor], "test")).values()
    async with stack() as s:
        broadcast = await request(
            s.shared, ev.Audience(monitor_ids=(monitor,)), "", kind=ev.BroadcastKind.CREDENTIALS
        )
        await settled(db, broadcast)
        (sms,) = await s.texted()
    text = str(sms["text"])
    assert text.startswith("pollwatch: ваша ссылка для входа http://127.0.0.1:8081/m/#t=pw_")
    token = re.search(r"#t=(\S+)", text)
    assert token is not None
    stored = await db.fetchval("SELECT token_hash FROM monitors WHERE id = $1", monitor)
    assert stored == hash_token(token.group(1)) != hash_token(old)
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE text LIKE '%pw_%'") == 0  # never stored


async def test_a_check_in_is_answered_and_marks_monitors_present(
    stack: StackFactory, db: asyncpg.Connection, shared_settings: SharedSettings, monitors: dict[str, str]
) -> None:
    async with serving(ingest_app(ingest_settings(shared_settings))) as ingest_url:
        sim = {"reply_url": f"{ingest_url}/v1/sms"}
        async with stack(sim=sim) as s:
            broadcast = await request(
                s.shared, ev.Audience(region_ids=("ALA",)), "", kind=ev.BroadcastKind.CHECKIN
            )
            await settled(db, broadcast)
            deadline = time.monotonic() + 30
            while await db.fetchval("SELECT count(DISTINCT monitor_id) FROM monitor_checkins") < 2:
                assert time.monotonic() < deadline, "no check-in"
                await asyncio.sleep(0.2)
            texted = await s.texted()
    assert sorted(str(t["text"]) for t in texted) == [
        "pollwatch: ответьте ДА, когда будете на своём участке.",
        "pollwatch: учаскеге келгенде ИӘ деп жауап беріңіз.",
    ]
    present = {r["monitor_id"] for r in await db.fetch("SELECT monitor_id FROM monitor_checkins")}
    assert present == {monitors["+442079460001"], monitors["+442079460002"]}
