"""The ingest ASGI application and the lifespan that owns its Kafka producer and database pool."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.common import topics
from services.common.clock import Clock, SystemClock
from services.common.db import create_pool, database_reachable
from services.common.health import health_routes
from services.common.kafka_admin import broker_reachable
from services.ingest.asgi import IngestApp
from services.ingest.auth import Authenticator
from services.ingest.context import Services
from services.ingest.dedup import Deduplicator
from services.ingest.dedup_store import DedupStore
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.openapi import openapi_document
from services.ingest.producer import Producer
from services.ingest.reports_route import report_routes
from services.ingest.settings import IngestSettings
from services.ingest.sms_route import sms_routes
from services.ingest.station_cache import StationCache

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600


def create_app(
    settings: IngestSettings, clock: Clock | None = None, metrics: IngestMetrics | None = None
) -> Starlette:
    shared = settings.shared
    metrics = metrics or IngestMetrics()
    pools: list[asyncpg.Pool] = []
    producers: list[Producer] = []
    document = openapi_document()

    async def ready() -> dict[str, bool]:
        return {
            "kafka": await broker_reachable(shared.kafka_bootstrap),
            # Not while the producer is being replaced or writes wait past their deadline.
            "kafka_writable": bool(producers) and producers[0].writable,
            "postgres": bool(pools) and await database_reachable(pools[0]),
        }

    async def openapi(_: Request) -> Response:
        return JSONResponse(document)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await create_pool(shared)
        pools.append(pool)
        producer = Producer(
            shared.kafka_bootstrap, settings.produce_timeout_seconds, settings.linger_ms, metrics
        )
        producers.append(producer)
        stations = StationCache(pool)
        tasks: list[asyncio.Task[None]] = []
        stores: list[DedupStore] = []
        try:
            count = await stations.refresh()
            log.info("ingest: %d stations in the registry", count)
            await producer.start()
            window = timedelta(hours=settings.dedup_window_hours)
            claim_ttl = timedelta(seconds=settings.dedup_claim_ttl_seconds)
            store = DedupStore(
                pool,
                window,
                claim_ttl,
                settings.produce_timeout_seconds,
                metrics,
                accept_linger=settings.dedup_accept_linger_ms / 1000,
                synchronous_commit=settings.dedup_synchronous_commit,
            )
            stores.append(store)
            dedup = Deduplicator(pool, store, window, cache_size=settings.dedup_cache_size)
            intake = Intake(
                producer,
                dedup,
                shared.topic(topics.REPORTS.name),
                shared.topic(topics.DEAD_LETTER.name),
                metrics,
                wait_timeout=settings.produce_timeout_seconds + 1,
            )
            if settings.sms_webhook_secret is None:
                log.warning("INGEST_SMS_WEBHOOK_SECRET is unset: /v1/sms trusts every caller")
            if shared.reporting_window is None:
                log.warning("POLLWATCH_REPORTING_OPENS_AT/_CLOSES_AT are unset: any observed_at from 2000 on")
            app.state.services = Services(
                settings,
                intake,
                Authenticator(pool, settings.auth_cache_seconds),
                stations,
                metrics,
                clock or SystemClock(),
            )
            tasks.append(asyncio.create_task(stations.keep_fresh(settings.registry_refresh_seconds)))
            tasks.append(asyncio.create_task(_purge_forever(dedup)))
            yield
            await intake.drain()
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await producer.stop()
            for store in stores:
                await store.close()
            await pool.close()

    reports = report_routes(settings, metrics)
    routes = [
        *reports,
        *sms_routes(settings, metrics),
        Route("/openapi.json", openapi, methods=["GET"]),
        *health_routes(ready, metrics.exposed),
    ]
    return IngestApp(reports[0], routes=routes, lifespan=lifespan)


async def _purge_forever(dedup: Deduplicator) -> None:
    while True:
        try:
            removed = await dedup.purge()
            if removed:
                log.info("dedup: purged %d ids older than the window", removed)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("dedup purge failed: %s", exc.__class__.__name__)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
