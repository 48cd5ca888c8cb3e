"""The API served in-process by uvicorn on a free port, over this test's database and topics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer

from services.api.app import create_app
from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.api.settings import ApiSettings
from services.common.infra.settings import SharedSettings
from tests.integration.api.seed import seed
from tests.support.processes import free_port


@dataclass
class Api:
    url: str
    settings: ApiSettings

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"


@pytest.fixture
async def keys(db: asyncpg.Connection) -> dict[str, str]:
    """A key per role, plus `partner_texts` (partner allowed incident texts), `revoked`, and
    region-scoped ones: `public_r2`, `partner_r1`, `analyst_r2`, `coordinator_r2` (regions R1 / R2
    only) and `public_r1r2`."""
    made: dict[str, str] = {}
    for name, role, texts, regions in (
        ("public", "public", False, None),
        ("partner", "partner", False, None),
        ("partner_texts", "partner", True, None),
        ("analyst", "analyst", False, None),
        ("coordinator", "coordinator", False, None),
        ("admin", "admin", False, None),
        ("revoked", "partner", False, None),
        ("public_r2", "public", False, ["R2"]),
        ("public_r1r2", "public", False, ["R1", "R2"]),
        ("partner_r1", "partner", True, ["R1"]),
        ("analyst_r2", "analyst", False, ["R2"]),
        ("coordinator_r2", "coordinator", False, ["R2"]),
    ):
        new = generate_key()
        await key_sql.insert_key(db, new.id, hash_secret(new.secret), role, f"org-{name}", texts, regions)
        made[name] = new.token
    await key_sql.revoke_key(db, made["revoked"].split("_")[1])
    return made


@pytest.fixture
async def seeded(db: asyncpg.Connection) -> None:
    await seed(db)


async def serve(settings: ApiSettings) -> AsyncIterator[Api]:
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=settings.port, log_config=None, ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{settings.port}"
    await wait_ready(url)  # subscriptions are refused until the Kafka feed has caught up
    try:
        yield Api(url, settings)
    finally:
        server.should_exit = True
        await task


async def wait_ready(url: str, within: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + within
    async with httpx.AsyncClient(timeout=5) as client:
        while (answer := await client.get(f"{url}/readyz")).status_code != 200:
            assert asyncio.get_running_loop().time() < deadline, answer.text
            await asyncio.sleep(0.1)


def api_settings(shared: SharedSettings, **overrides: object) -> ApiSettings:
    values: dict[str, object] = {
        "port": free_port(),
        "key_cache_seconds": 0.2,
        "page_max": 100,
        "max_depth": 4,
        "max_aliases": 10,
        # The API runs inside pytest's process here: leave that process's collector alone.
        "gc_freeze_seconds": 0,
        "shared": shared,
    }
    return ApiSettings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
async def api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    async for running in serve(api_settings(shared_settings)):
        yield running


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await p.start()
    try:
        yield p
    finally:
        await p.stop()
