"""Pre-serialized records to Kafka through faust's producer: one at a time, or gathered into one
aiokafka batch per topic partition (`Outbox`), and table writes done the same way.

faust's `Topic.send` and `Table.__setitem__` cost a FutureMessage, a channel hop and, for tables,
one trip through the single-file ProducerBuffer per record; aiokafka's own `send` still costs a
future, the partitioner and the accumulator (~11 us a record). A station batch writes two or three
records per station changed, so they are appended to aiokafka batches (~2 us a record) and sent
together.

Delivery. faust flushes the producer before it commits offsets, but a record Kafka refused
(a failed batch) is only logged there, and the offsets are committed anyway. So a failed
delivery stops the worker (crash-only: it restarts from its committed offsets), and what
cannot be derived again after a restart waits for `Outbox.delivered`: an alert transition is
delivered before the state that records it as sent is written (`write_table` writes the
local store only once its changelog records are delivered), and that state before the event
that caused it is acked. A replay then finds the state from before the failure and sends the
transition again. Figures need no wait: every station's are sent again after a restart.
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

from services import patches
from services.aggregator.event_context import within
from services.aggregator.slices import SLICE
from services.common.contracts.key_partition import partition_for
from services.patches import faust as faust_patch

log = logging.getLogger(__name__)
Delivered = Callable[[TP, int], None]
_PARTITIONS: dict[str, int] = {}  # partition count per topic (fixed while a worker runs)
_stopping: set[asyncio.Future[None]] = set()  # the crashes under way (held until done)


class DeliveryError(Exception):
    """Kafka refused records: what they carried is not acknowledged and the worker stops."""


def stop_on_failure(app: faust.App, fut: asyncio.Future[Any]) -> None:
    """Stops the worker if `fut`, a record's or batch's delivery, fails."""
    fut.add_done_callback(functools.partial(_stop_if_failed, app))


def _stop_if_failed(app: faust.App, fut: asyncio.Future[Any]) -> None:
    if fut.cancelled() or fut.exception() is None:
        return
    error = fut.exception()
    log.error("producing records failed, stopping the worker: %r", error)
    crash = asyncio.ensure_future(app.crash(DeliveryError(f"producing records failed: {error!r}")))
    _stopping.add(crash)
    crash.add_done_callback(_stopping.discard)


async def send(app: faust.App, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
    """Queues one record; a delivery failure stops the worker (figures are sent again after a
    restart)."""
    fut = cast(asyncio.Future[Any], await app.producer.send(topic, key, value, partition, None, None))
    stop_on_failure(app, fut)


class Outbox:
    """Records gathered per topic partition; `send` hands each partition's batch to aiokafka.

    Keyed records go to the partition aiokafka's default partitioner would pick (murmur2 of the
    key, as Java's), so a station's figures land where they always did. A delivery failure
    stops the worker, as for `send`; `delivered` waits for every record sent.
    """

    def __init__(self, app: faust.App) -> None:
        self._app = app
        # Batches need the aiokafka producer under faust's (patch `faust.outbox_batches`); the
        # stock path sends each record through faust's producer.
        self._producer: AIOKafkaProducer | None = (
            faust_patch.aiokafka_producer(app) if patches.enabled("faust.outbox_batches") else None
        )
        self._open: dict[tuple[str, int], Any] = {}
        self._sent: dict[tuple[str, int], tuple[asyncio.Future[Any], int]] = {}
        self._hooks: list[tuple[str, set[int], Delivered]] = []
        # Every batch sent, and the hooks waiting for them (run by `delivered`).
        self._futures: list[asyncio.Future[Any]] = []
        self._ready: list[tuple[Delivered, TP, asyncio.Future[Any], int]] = []

    async def add(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        producer = self._producer
        if producer is None:  # stock path: one record at a time through faust's producer
            await self._send_one(topic, key, value, partition)
            return
        if partition is None:
            count = _PARTITIONS.get(topic)
            if count is None:
                count = _PARTITIONS[topic] = len(await producer.partitions_for(topic))
            partition = partition_for(key, count)
        at = (topic, partition)
        batch = self._open.get(at)
        if batch is None:
            batch = self._open[at] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None) is None:  # full
            await self._send(at, batch)
            batch = self._open[at] = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None)

    def after_delivery(self, topic: str, partitions: Iterable[int], callback: Delivered) -> None:
        """Has `delivered` call `callback(tp, offset of its last record)` for each partition
        of `topic` with records added so far, once every record sent is delivered."""
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
                    self._ready.append((callback, TP(topic, partition), *sent))
        self._hooks.clear()
        self._sent.clear()

    async def delivered(self) -> None:
        """Sends what is still open, waits until Kafka has every record, then runs the
        `after_delivery` hooks. Raises `DeliveryError` (and runs no hook) if any batch failed."""
        if self._open:
            await self.send()
        if self._futures:
            await asyncio.wait(self._futures)
        for fut in self._futures:
            if fut.cancelled() or fut.exception() is not None:
                reason = "cancelled" if fut.cancelled() else repr(fut.exception())
                raise DeliveryError(f"Kafka did not take a batch: {reason}")
        self._futures.clear()
        ready, self._ready = self._ready, []
        for callback, tp, fut, count in ready:
            callback(tp, fut.result().offset + count - 1)  # the batch's base offset + its records
            await asyncio.sleep(0)  # hooks are slices of work (`write_table`)

    async def _send_one(self, topic: str, key: bytes, value: bytes, partition: int | None) -> None:
        # Without a partition aiokafka's default partitioner picks the one `partition_for` would.
        fut = cast(
            asyncio.Future[Any], await self._app.producer.send(topic, key, value, partition, None, None)
        )
        stop_on_failure(self._app, fut)
        self._futures.append(fut)
        if partition is not None:  # the hooks of `after_delivery` name their partitions
            self._sent[(topic, partition)] = (fut, 1)

    async def _send(self, at: tuple[str, int], batch: Any) -> None:
        batch.close()
        count = batch.record_count()
        assert self._producer is not None
        fut = cast(asyncio.Future[Any], await self._producer.send_batch(batch, at[0], partition=at[1]))
        stop_on_failure(self._app, fut)
        self._futures.append(fut)
        self._sent[at] = (fut, count)


async def write_table(table: Any, rows: Iterable[tuple[Any, bytes, bytes]], outbox: Outbox) -> None:
    """Writes (event, key, value) rows to a faust table as `table[key] = value` would, in two
    steps: the changelog records go into `outbox`, each to its event's partition; once
    `outbox.delivered()` has seen them delivered, the local store takes the values (within
    each event's partition) and the changelog offset is persisted. The caller sends the outbox
    and waits for `delivered`: a store never holds a value its changelog lacks, nor one
    recording an alert that was not delivered (see the module's docstring)."""
    topic = table.changelog_topic.get_topic_name()
    by_partition: dict[int, tuple[Any, list[tuple[bytes, bytes]]]] = {}
    for event, key, value in rows:
        partition = event.message.partition
        held = by_partition.get(partition)
        if held is None:
            held = by_partition[partition] = (event, [])
        held[1].append((key, value))
    store = table.data
    for partition, (_event, pairs) in by_partition.items():
        for key, value in pairs:
            await outbox.add(topic, key, value, partition)
        # The local writes go in slices (`delivered` yields between hooks); the last one of a
        # partition persists its changelog offset.
        for start in range(0, len(pairs), SLICE):
            chunk = pairs[start : start + SLICE]
            last = start + SLICE >= len(pairs)
            store_chunk = functools.partial(_store, store, by_partition[partition][0], chunk, last)
            outbox.after_delivery(topic, (partition,), store_chunk)


def _store(store: Any, event: Any, pairs: list[tuple[bytes, bytes]], last: bool, tp: TP, offset: int) -> None:
    with within(event):  # the store writes into the partition of the current event
        for key, value in pairs:
            store[key] = value
    if last:
        store.set_persisted_offset(tp, offset)
