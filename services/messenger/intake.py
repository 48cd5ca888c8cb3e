"""The broadcasts topic's consumer: decode, check, record the recipients, commit.

decode -> check -> record (PostgreSQL, idempotent) -> commit the offsets. A request that cannot
be read or is refused goes to the dead-letter topic with its partition and offset, and is
committed; a PostgreSQL or Kafka outage is waited out (nothing is committed before it is
recorded), so a broadcast is never lost and, read twice after a crash, recorded once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError

from services.common.broadcasts import problems
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError
from services.common.infra.settings import SharedSettings
from services.messenger.audience import record_broadcast
from services.messenger.housekeeping import STORE_DOWN
from services.messenger.kafka_start import start_when_reachable
from services.messenger.metrics import MessengerMetrics

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 30.0


class BroadcastIntake:
    def __init__(
        self,
        shared: SharedSettings,
        group: str,
        pool: asyncpg.Pool,
        metrics: MessengerMetrics,
        on_recorded: Callable[[], None],
        default_lang: str = "en",
    ) -> None:
        self._shared = shared
        self._default_lang = default_lang
        self._topic = shared.topic(topics.BROADCASTS.name)
        self._pool = pool
        self._metrics = metrics
        self._on_recorded = on_recorded
        self._consumer = AIOKafkaConsumer(
            self._topic,
            bootstrap_servers=shared.kafka_bootstrap,
            group_id=shared.topic(group),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=shared.kafka_bootstrap, acks="all", enable_idempotence=True
        )
        self.started = False

    async def run(self) -> None:
        """Starts the clients (waiting for Kafka if it is down) and consumes until cancelled."""
        await start_when_reachable(self._start, "messenger")
        self.started = True
        while True:
            batch = await self._consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    await self._handle(record)
            if batch:
                await self._consumer.commit()

    async def _start(self) -> None:
        await self._producer.start()
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._producer.stop()

    async def _handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        try:
            broadcast = codec.decode_broadcast(record.value or b"")
        except DecodeError as exc:
            await self._dead_letter(record, str(exc))
            return
        if found := problems(broadcast):
            await self._dead_letter(record, "; ".join(f"{p.field}: {p.message}" for p in found))
            return
        count = await self._record(broadcast)
        if count is None:
            log.info("broadcast %s: recorded before, nothing to do", broadcast.id)
            return
        self._metrics.broadcasts.labels(broadcast.kind.value).inc()
        self._metrics.recipients.inc(count)
        log.info("broadcast %s (%s): %d deliveries queued", broadcast.id, broadcast.kind.value, count)
        self._on_recorded()

    async def _record(self, broadcast: ev.Broadcast) -> int | None:
        delay = 0.5
        while True:
            try:
                async with self._pool.acquire() as conn:
                    return await record_broadcast(conn, broadcast, self._default_lang)
            except STORE_DOWN as exc:
                log.warning(
                    "broadcast %s: PostgreSQL unavailable (%s); retrying",
                    broadcast.id,
                    exc.__class__.__name__,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_WAIT_SECONDS)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: str) -> None:
        letter = ev.DeadLetter(
            source=self._topic,
            partition=record.partition,
            offset=record.offset,
            payload=record.value or b"",
            error=error,
            failed_at=datetime.now(UTC),
        )
        delay = 0.5
        while True:
            try:
                await self._producer.send_and_wait(
                    self._shared.topic(topics.DEAD_LETTER.name),
                    codec.encode_dead_letter(letter),
                    key=self._topic.encode(),
                )
                break
            except KafkaError as exc:
                log.warning("dead letter not written (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_WAIT_SECONDS)
        self._metrics.dead_letters.inc()
        log.warning(
            "broadcast at %s:%d:%d dead-lettered: %s", self._topic, record.partition, record.offset, error
        )
