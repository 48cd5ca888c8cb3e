"""The real services behind ingest's handlers: the database pool, the Kafka producer, the dedup
store, the station cache and their background tasks, opened at start and closed at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import asyncpg

from services.common.contracts import topics
from services.common.infra.clock import Clock
from services.common.infra.db import create_pool, database_reachable
from services.common.infra.kafka_admin import broker_reachable
from services.common.registry.registry_events import MONITORS_CHANNEL, reload_on_change
from services.ingest.auth import Authenticator
from services.ingest.checkin import Checkins
from services.ingest.context import Services
from services.ingest.dedup import Deduplicator
from services.ingest.dedup_store import DedupStore
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.producer import Producer
from services.ingest.settings import IngestSettings
from services.ingest.station_cache import StationCache

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
# Cached monitors are forgotten on every change anyway; this only bounds a missed notification.
MONITORS_FALLBACK_SECONDS = 60

OpenServices = Callable[[IngestSettings, IngestMetrics, Clock], AbstractAsyncContextManager[Services]]


@asynccontextmanager
async def open_services(
    settings: IngestSettings, metrics: IngestMetrics, clock: Clock
) -> AsyncIterator[Services]:
    shared = settings.shared
    pool = await create_pool(shared)
    producer = Producer(shared.kafka_bootstrap, settings.produce_timeout_seconds, settings.linger_ms, metrics)
    stations = StationCache(pool)
    tasks: list[asyncio.Task[None]] = []
    stores: list[DedupStore] = []

    async def ready() -> dict[str, bool]:
        return {
            "kafka": await broker_reachable(shared.kafka_bootstrap),
            # Not while the producer is being replaced or writes wait past their deadline.
            "kafka_writable": producer.writable,
            "postgres": await database_reachable(pool),
        }

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
        auth = Authenticator(pool, settings.auth_cache_seconds)
        services = Services(settings, intake, auth, stations, metrics, clock, Checkins(pool), ready, pool)
        tasks.append(asyncio.create_task(stations.keep_fresh(settings.registry_refresh_seconds)))
        tasks.append(
            asyncio.create_task(
                reload_on_change(pool, auth.forget_all, MONITORS_FALLBACK_SECONDS, MONITORS_CHANNEL)
            )
        )
        tasks.append(asyncio.create_task(_purge_forever(dedup)))
        yield services
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


async def _purge_forever(dedup: Deduplicator) -> None:
    while True:
        try:
            removed = await dedup.purge()
            if removed:
                log.info("dedup: purged %d ids older than the window", removed)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("dedup purge failed: %s", exc.__class__.__name__)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
