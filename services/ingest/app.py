"""The ingest ASGI application and the lifespan that owns its Kafka producer and database pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer
from starlette.applications import Starlette

from services.common.db import create_pool, database_reachable
from services.common.health import health_routes
from services.common.kafka_admin import broker_reachable
from services.ingest.settings import IngestSettings


@dataclass
class Resources:
    producer: AIOKafkaProducer
    pool: asyncpg.Pool


def create_app(settings: IngestSettings) -> Starlette:
    shared = settings.shared
    resources: list[Resources] = []

    async def ready() -> dict[str, bool]:
        if not resources:
            return {"kafka": False, "postgres": False}
        return {
            "kafka": await broker_reachable(shared.kafka_bootstrap),
            "postgres": await database_reachable(resources[0].pool),
        }

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        producer = AIOKafkaProducer(
            bootstrap_servers=shared.kafka_bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        pool = await create_pool(shared)
        resources.append(Resources(producer, pool))
        try:
            yield
        finally:
            await producer.stop()
            await pool.close()

    return Starlette(routes=health_routes(ready), lifespan=lifespan)
