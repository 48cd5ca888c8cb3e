"""The alerts topic's consumer for the notifier: decode -> route -> queue (PostgreSQL,
idempotent by alert transition) -> commit the offsets.

Nothing is committed before its notifications are queued, so a crash reads the transitions
again and queues nothing twice (the key is the alert id, its version and the subscription).
Transitions older than `notify_max_age_seconds` are not sent: a new consumer group reads the
topic from its start, and a page about yesterday helps nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError
from services.messenger.housekeeping import STORE_DOWN
from services.messenger.kafka_start import start_when_reachable
from services.messenger.metrics import MessengerMetrics
from services.messenger.notify import store
from services.messenger.settings import MessengerSettings

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 30.0


class AlertIntake:
    def __init__(
        self,
        settings: MessengerSettings,
        pool: asyncpg.Pool,
        metrics: MessengerMetrics,
        on_queued: Callable[[], None],
    ) -> None:
        shared = settings.shared
        self._settings = settings
        self._pool = pool
        self._metrics = metrics
        self._on_queued = on_queued
        self._consumer = AIOKafkaConsumer(
            shared.topic(topics.ALERTS.name),
            bootstrap_servers=shared.kafka_bootstrap,
            group_id=shared.topic(settings.notify_consumer_group),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self.started = False

    async def run(self) -> None:
        await start_when_reachable(self._consumer.start, "notifier")
        self.started = True
        while True:
            batch = await self._consumer.getmany(timeout_ms=1000)
            alerts = [a for records in batch.values() for r in records if (a := self._decode(r.value))]
            if alerts:
                await self._queue(alerts)
            if batch:
                await self._consumer.commit()

    async def stop(self) -> None:
        await self._consumer.stop()

    def _decode(self, value: bytes | None) -> ev.Alert | None:
        try:
            alert = codec.decode_alert(value or b"")
        except DecodeError as exc:
            # The aggregator dead-letters what it cannot write; an unreadable alert here is counted.
            self._metrics.alerts_read.labels("unreadable").inc()
            log.warning("notifier: unreadable alert skipped: %s", exc)
            return None
        age = datetime.now(UTC) - alert.updated_at
        if age > timedelta(seconds=self._settings.notify_max_age_seconds):
            self._metrics.alerts_read.labels("stale").inc()
            return None
        self._metrics.alerts_read.labels("routed").inc()
        return alert

    async def _queue(self, alerts: list[ev.Alert]) -> None:
        delay = 0.5
        while True:
            try:
                async with self._pool.acquire() as conn:
                    subs = await store.subscriptions(conn)
                    new = 0
                    for alert in alerts:
                        new += await store.enqueue(conn, alert, subs, self._settings.notify_sms_per_minute)
                break
            except STORE_DOWN as exc:
                log.warning("notifier: PostgreSQL unavailable (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_WAIT_SECONDS)
        if new:
            self._metrics.notifications_queued.inc(new)
            self._on_queued()
