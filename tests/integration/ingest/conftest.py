"""An in-process ingest app on the real Kafka and PostgreSQL, with stations and monitors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.ingest.app import create_app
from services.ingest.monitors import add_monitor
from services.ingest.settings import IngestSettings
from tests.integration.ingest.own_kafka import OwnKafka
from tests.support.asgi import running

PHONE = "+77011234567"
OTHER_PHONE = "+77019876543"
REGISTRY = Registry(
    regions=(Region("ALA", "Almaty"), Region("AKM", "Akmola Region")),
    stations=(
        Station("ALA-0123", "ALA", "Station 123", 1000),
        Station("ALA-0456", "ALA", "Station 456", 800),
        Station("AKM-0123", "AKM", "Station 123 (Akmola)", 1200),
        Station("AKM-0777", "AKM", "Station 777", 900),
    ),
)


@dataclass
class Seeded:
    token: str  # monitor A: ALA-0123 and ALA-0456, phone PHONE
    other_token: str  # monitor B: AKM-0777, phone OTHER_PHONE
    monitor_id: str
    other_id: str


async def seed(db: asyncpg.Connection) -> Seeded:
    await store_registry(db, REGISTRY)
    first, token = await add_monitor(db, "Monitor A", PHONE, ["ALA-0123", "ALA-0456"])
    second, other = await add_monitor(db, "Monitor B", OTHER_PHONE, ["AKM-0777"])
    return Seeded(token, other, first.id, second.id)


def ingest_settings(shared: SharedSettings, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {"shared": shared, "produce_timeout_seconds": 3, "auth_cache_seconds": 0}
    return IngestSettings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def own_kafka(tmp_path: Path) -> Iterator[OwnKafka]:
    kafka = OwnKafka(tmp_path / "kafka-state")
    kafka.run("start")
    try:
        yield kafka
    finally:
        kafka.run("stop")


@pytest.fixture
async def seeded(db: asyncpg.Connection) -> Seeded:
    return await seed(db)


@pytest.fixture
async def client(shared_settings: SharedSettings, seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(ingest_settings(shared_settings))) as c:
        yield c


async def consume(bootstrap: str, topic: str, idle: float = 2.0) -> list[bytes]:
    """Every message on `topic`, read until nothing new arrives for `idle` seconds."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while loop.time() - quiet_since < idle:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                values += [m.value for m in messages if m.value is not None]
                quiet_since = loop.time()
    finally:
        await consumer.stop()
    return values


async def reports_on_topic(shared: SharedSettings) -> list[ev.Report]:
    raw = await consume(shared.kafka_bootstrap, shared.topic(topics.REPORTS.name))
    return [codec.decode_report(v) for v in raw]


async def dead_letters_on_topic(shared: SharedSettings) -> list[ev.DeadLetter]:
    raw = await consume(shared.kafka_bootstrap, shared.topic(topics.DEAD_LETTER.name))
    return [codec.decode_dead_letter(v) for v in raw]
