"""The messenger and the gateway simulator served in-process on the real Kafka and PostgreSQL,
with a registry and a roster of monitors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.common.broadcasts import new_broadcast_id, publish
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.monitors.onboarding import import_roster
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.messenger.app import create_app as messenger_app
from services.messenger.settings import MessengerSettings
from services.simulator.gateway.app import create_app as gateway_app
from services.simulator.gateway.settings import GatewaySimSettings
from tests.support.asgi_server import serving
from tests.support.processes import free_port

REGISTRY = Registry(
    regions=(Region("ALA", "Almaty", "city"), Region("AST", "Astana", "city")),
    stations=(
        Station("ALA-0001", "ALA", "School 1", 1000),
        Station("ALA-0002", "ALA", "School 2", 1000),
        Station("AST-0001", "AST", "Library", 1000),
    ),
)
# Phones from Ofcom's drama ranges (valid, nobody's).
ROSTER = """name,phone,stations,language,region
Aigerim Bekova,+442079460001,ALA-0001,kk,ALA
Olga Ivanova,+442079460002,ALA-0002,ru,ALA
Daniyar Omarov,+442079460003,AST-0001,en,AST
Marat Sokolov,+442079460013,AST-0001,ru,AST
"""
PHONES = {"+442079460001", "+442079460002", "+442079460003", "+442079460013"}


@pytest.fixture
async def monitors(db: asyncpg.Connection) -> dict[str, str]:
    """Monitor ids by phone."""
    await store_registry(db, REGISTRY)
    await import_roster(db, ROSTER, "test", dry_run=False)
    return {r["phone"]: r["id"] for r in await db.fetch("SELECT id, phone FROM monitors")}


@dataclass
class Stack:
    gateway_url: str
    messenger_url: str
    shared: SharedSettings

    async def texted(self) -> list[dict[str, object]]:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"{self.gateway_url}/simulator/texted")
        return list(answer.json()["texted"])


StackFactory = Callable[..., AbstractAsyncContextManager[Stack]]


CALLBACK_SECRET = "sim-callback-secret"


def messenger_settings(
    shared: SharedSettings,
    sim: GatewaySimSettings,
    gateway: str,
    gateway_url: str,
    port: int | None = None,
    **overrides: object,
) -> MessengerSettings:
    """A messenger on `port` (or a free one) sending to the simulator at `gateway_url`, quickly."""
    port = port or free_port()
    values: dict[str, object] = {
        "shared": shared,
        "port": port,
        "public_url": f"http://127.0.0.1:{port}",
        "gateway": gateway,
        "gateway_url": f"{gateway_url}/v1/messages" if gateway == "generic" else gateway_url,
        "twilio_account_sid": sim.twilio_account_sid,
        "twilio_auth_token": sim.twilio_auth_token,
        "twilio_sender": "+15005550006",
        "telerivet_project_id": sim.telerivet_project_id,
        "telerivet_api_key": sim.telerivet_api_key,
        "rapidpro_token": sim.rapidpro_token,
        "africastalking_username": sim.africastalking_username,
        "africastalking_api_key": sim.africastalking_api_key,
        "status_poll_seconds": 0.2,
        "rate_per_second": 200,
        "burst": 20,
        "backoff_base_seconds": 0.1,
        "backoff_max_seconds": 0.5,
        "request_timeout_seconds": 5,
        "send_lease_seconds": 20,
        "poll_seconds": 0.2,
    }
    return MessengerSettings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def stack(shared_settings: SharedSettings) -> StackFactory:
    """stack(gateway=..., sim=dict(...), **messenger settings): both apps, served."""

    @asynccontextmanager
    async def run(
        gateway: str = "generic", sim: dict[str, object] | None = None, **messenger: object
    ) -> AsyncIterator[Stack]:
        port = free_port()
        sim_values: dict[str, object] = {
            # Africa's Talking's delivery reports go where its dashboard says: this messenger.
            "africastalking_callback_url": f"http://127.0.0.1:{port}/v1/status/africastalking"
            f"?secret={CALLBACK_SECRET}"
        }
        if gateway in ("telerivet", "africastalking"):
            messenger = {"callback_secret": CALLBACK_SECRET} | messenger
        sim_settings = GatewaySimSettings(**(sim_values | (sim or {})))  # type: ignore[arg-type]
        async with serving(gateway_app(sim_settings)) as gateway_url:
            settings = messenger_settings(
                shared_settings, sim_settings, gateway, gateway_url, port, **messenger
            )
            async with serving(messenger_app(settings), settings.port) as messenger_url:
                yield Stack(gateway_url, messenger_url, shared_settings)

    return run


async def request(
    shared: SharedSettings, audience: ev.Audience, text: str = "Report turnout now", **kw: object
) -> str:
    """Publishes a broadcast; returns its id."""
    values: dict[str, object] = {
        "id": new_broadcast_id(),
        "kind": ev.BroadcastKind.MESSAGE,
        "audience": audience,
        "text": text,
        "translations": {},
        "requested_by": "test",
        "requested_at": datetime.now(UTC),
    }
    broadcast = ev.Broadcast(**(values | kw))  # type: ignore[arg-type]
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await publish(producer, shared, broadcast)
    finally:
        await producer.stop()
    return broadcast.id


async def settled(db: asyncpg.Connection, broadcast_id: str, within: float = 60) -> dict[str, asyncpg.Record]:
    """The broadcast's deliveries by monitor once none is queued, sending or merely sent."""
    deadline = time.monotonic() + within
    while True:
        rows = await db.fetch("SELECT * FROM message_deliveries WHERE broadcast_id = $1", broadcast_id)
        recorded = await db.fetchval("SELECT 1 FROM broadcasts WHERE id = $1", broadcast_id)
        if recorded and all(r["state"] in ("delivered", "failed", "unknown") for r in rows):
            return {r["monitor_id"]: r for r in rows}
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled: {sorted(r['state'] for r in rows)}")
        await asyncio.sleep(0.2)
