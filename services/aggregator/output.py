"""Pre-serialized records to Kafka through faust's producer: one at a time, or gathered into one
aiokafka batch per topic partition (`Outbox`), and table writes done the same way.

faust's `Topic.send` and `Table.__setitem__` cost a FutureMessage, a channel hop and, for tables,
one trip through the single-file ProducerBuffer per record; aiokafka's own `send` still costs a
future, the partitioner and the accumulator (~11 us a record). A station batch writes two or three
records per station changed, so they are appended to aiokafka batches (~2 us a record) and sent
together. faust still flushes the producer before it commits offsets, so the at-least-once
guarantee is unchanged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, cast

import faust
from aiokafka import AIOKafkaProducer
from faust.types import TP

from services.aggregator.event_context import within
from services.common.key_partition import partition_for

log = logging.getLogger(__name__)
Delivered = Callable[[TP, int], None]
_PARTITIONS: dict[str, int] = {}  # partition count per topic (fixed while a worker runs)


def _check(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled() and fut.exception() is not None:
        log.error("producing a record failed: %r", fut.exception())


async def send(app: faust.App, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
    """Queues one record; a delivery failure is logged (the figures are re-sent with the
    station's next batch, and after a restart)."""
    fut = cast(asyncio.Future[Any], await app.producer.send(topic, key, value, partition, None, None))
    fut.add_done_callback(_check)


class Outbox:
    """Records gathered per topic partition; `send` hands each partition's batch to aiokafka.

    Keyed records go to the partition aiokafka's default partitioner would pick (murmur2 of the
    key, as Java's), so a station's figures land where they always did. A delivery failure is
    logged, as for `send`.
    """

    def __init__(self, app: faust.App) -> None:
        # faust's aiokafka driver has no public accessor for its producer.
        self._producer: AIOKafkaProducer = app.producer._ensure_producer()  # type: ignore[attr-defined]
        self._open: dict[tuple[str, int], Any] = {}
        self._sent: dict[tuple[str, int], tuple[asyncio.Future[Any], int]] = {}
        self._hooks: list[tuple[str, set[int], Delivered]] = []

    async def add(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        if partition is None:
            count = _PARTITIONS.get(topic)
            if count is None:
                count = _PARTITIONS[topic] = len(await self._producer.partitions_for(topic))
            partition = partition_for(key, count)
        at = (topic, partition)
        batch = self._open.get(at)
        if batch is None:
            batch = self._open[at] = self._producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None) is None:  # full
            await self._send(at, batch)
            batch = self._open[at] = self._producer.create_batch()
            batch.append(key=key, value=value, timestamp=None)

    def after_delivery(self, topic: str, partitions: Iterable[int], callback: Delivered) -> None:
        """Calls `callback(tp, offset of its last record)` once each partition's records of
        `topic` added so far are delivered (not if delivery fails)."""
        self._hooks.append((topic, set(partitions), callback))

    async def send(self) -> None:
        """Hands every open batch to aiokafka."""
        for at, batch in self._open.items():
            await self._send(at, batch)
        self._open.clear()
        for topic, partitions, callback in self._hooks:
            for partition in partitions:
                sent = self._sent.get((topic, partition))
                if sent is not None:
                    fut, count = sent
                    tp = TP(topic, partition)
                    fut.add_done_callback(functools.partial(_delivered, callback, tp, count))
        self._hooks.clear()
        self._sent.clear()

    async def _send(self, at: tuple[str, int], batch: Any) -> None:
        batch.close()
        count = batch.record_count()
        fut = cast(asyncio.Future[Any], await self._producer.send_batch(batch, at[0], partition=at[1]))
        fut.add_done_callback(_check)
        self._sent[at] = (fut, count)


def _delivered(callback: Delivered, tp: TP, count: int, fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled() and fut.exception() is None:
        callback(tp, fut.result().offset + count - 1)  # the batch's base offset + its records


async def write_table(table: Any, rows: Iterable[tuple[Any, bytes, bytes]], outbox: Outbox) -> None:
    """Writes (event, key, value) rows to a faust table: the local store within each event's
    partition and the changelog record (into `outbox`) to that partition, as `table[key] = value`
    would; the changelog offset is persisted once per partition, after its last record is
    delivered. The caller sends the outbox."""
    topic = table.changelog_topic.get_topic_name()
    by_partition: dict[int, tuple[Any, list[tuple[bytes, bytes]]]] = {}
    for event, key, value in rows:
        partition = event.message.partition
        held = by_partition.get(partition)
        if held is None:
            held = by_partition[partition] = (event, [])
        held[1].append((key, value))
    store = table.data
    for partition, (event, pairs) in by_partition.items():
        with within(event):  # the store writes into the partition of the current event
            for key, value in pairs:
                store[key] = value
        for key, value in pairs:
            await outbox.add(topic, key, value, partition)
    outbox.after_delivery(topic, by_partition, store.set_persisted_offset)
