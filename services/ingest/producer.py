"""The Kafka side of the door: reports written with acks=all by an idempotent producer.

`write` enqueues every report (no send_and_wait per report) and waits for the
acknowledgements up to a deadline; what is not acknowledged by then is reported as
pending, and its eventual outcome is delivered through a callback.

A failed delivery retires the producer. aiokafka numbers a batch (per partition, for the
broker's duplicate check) when it first leaves the queue and never takes the number back:
a batch that then fails (one left waiting for a partition leader past the request timeout,
as when a broker stops under load, or one the broker refused) leaves a gap, and the broker answers
every later batch for that partition OutOfOrderSequenceNumber, for as long as the producer
lives (Java's producer bumps its epoch instead, KIP-360). So the first failure hands writes
to a new producer (a new producer id, numbering from zero) and the old one is retired:
what it can still deliver within the timeout is acknowledged late as usual, the rest fails
(`producer_retire.py`), and nothing it did not deliver counts as accepted. What a retired
producer leaves unsettled (the stock stop, patch `aiokafka.retire` off) fails here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    UnknownTopicOrPartitionError,
)
from aiokafka.partitioner import DefaultPartitioner

from services import patches
from services.common.contracts.key_partition import key_hash
from services.ingest.metrics import IngestMetrics
from services.ingest.producer_retire import ProducerRetiredError, retire
from services.patches.aiokafka import drain_together

log = logging.getLogger(__name__)

Late = Callable[[int, bool], None]
Future = asyncio.Future[object]
# The most a message may weigh (aiokafka's default max_request_size, within the broker's
# default message.max.bytes).
MAX_MESSAGE_BYTES = 1024 * 1024
# Enqueue failures that leave the producer sound (nothing was numbered): a wait for
# metadata or batch room ran out, or one message was refused before it was queued.
TRANSIENT = (KafkaTimeoutError, MessageSizeTooLargeError, UnknownTopicOrPartitionError)


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: bytes
    value: bytes


@dataclass
class WriteResult:
    """Positions acknowledged, failed (never written) and pending (unknown at the deadline)."""

    acked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)


class KeyPartitioner:
    """aiokafka's default partitioner (Java's: murmur2 of the key) with each key's hash kept
    (services/common/contracts/key_partition.py: aiokafka's murmur2 is pure Python, ~4 us a message, a
    tenth of ingest's CPU per batched report). Same partition for every key."""

    def __init__(self) -> None:
        self._default = DefaultPartitioner()

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return int(self._default(key, all_partitions, available))
        return all_partitions[key_hash(key) % len(all_partitions)]


class Producer:
    """Writes to Kafka through one idempotent producer at a time, replaced when a delivery fails."""

    def __init__(self, bootstrap: str, timeout: float, linger_ms: int, metrics: IngestMetrics) -> None:
        self._bootstrap = bootstrap
        self._timeout = timeout
        self._linger_ms = linger_ms
        self._metrics = metrics
        self._producer: AIOKafkaProducer | None = None
        self._starting: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._overdue = 0  # messages past their write's deadline and not settled yet
        self._unsettled: dict[int, set[Future]] = {}  # those futures, by id of their producer
        self._replaced_at = -math.inf
        self._stopped = False

    def _new(self) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._linger_ms,
            # Bounds the waits for metadata and room in a batch, and a batch left waiting for
            # a partition leader; a batch once sent is retried until acknowledged (idempotence).
            request_timeout_ms=int(self._timeout * 1000),
            max_batch_size=256 * 1024,
            max_request_size=MAX_MESSAGE_BYTES,
            partitioner=KeyPartitioner(),
        )
        if patches.enabled("aiokafka.node_drain"):
            drain_together(producer)
        return producer

    async def start(self) -> None:
        """Starts now if Kafka answers, else keeps trying in the background (requests get 503)."""
        if not await self._try_start():
            self._keep_starting(pause=1)

    async def _try_start(self) -> bool:
        producer = self._new()
        try:
            # aiokafka waits for a producer id without a bound of its own.
            await asyncio.wait_for(producer.start(), self._timeout * 2)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("kafka not reachable yet (%s); retrying", exc.__class__.__name__)
            await producer.stop()
            return False
        except asyncio.CancelledError:
            await producer.stop()
            raise
        self._producer = producer
        return True

    def _keep_starting(self, pause: float = 0) -> None:
        async def keep_trying() -> None:
            await asyncio.sleep(pause)
            while True:
                if await self._try_start():
                    return
                await asyncio.sleep(1)

        self._starting = asyncio.create_task(keep_trying())

    @property
    def writable(self) -> bool:
        """A producer is running and no write waits past its deadline: Kafka takes reports."""
        return self._producer is not None and not self._overdue

    async def stop(self) -> None:
        self._stopped = True
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        if self._producer is not None:
            self._retire(self._producer)
        if self._retiring:
            await asyncio.wait(self._retiring)

    def _replace(self, producer: AIOKafkaProducer, reason: str) -> None:
        """Retires `producer` after a failed delivery (module doc) and starts a new one."""
        if self._stopped or producer is not self._producer:
            return  # stopping, or already replaced
        log.warning("kafka producer retired after a failed delivery (%s); starting a new one", reason)
        self._metrics.producer_replacements.labels(reason).inc()
        self._retire(producer)
        # A producer that fails again at once (a broker refusing every write) is not
        # replaced more than about once a second.
        now = time.monotonic()
        self._keep_starting(pause=1 if now - self._replaced_at < 1 else 0)
        self._replaced_at = now

    def _retire(self, producer: AIOKafkaProducer) -> None:
        self._producer = None
        task = asyncio.create_task(self._retire_and_settle(producer))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _retire_and_settle(self, producer: AIOKafkaProducer) -> None:
        await retire(producer, self._timeout)
        for future in self._unsettled.pop(id(producer), set()):
            if not future.done():  # left by the stock stop: not written by this producer
                future.set_exception(ProducerRetiredError())

    async def write(self, messages: Sequence[Message], late: Late) -> WriteResult:
        """Writes `messages`; `late(position, ok)` reports pending ones when they settle."""
        result = WriteResult()
        producer = self._producer
        if producer is None:
            result.failed = list(range(len(messages)))
            return result
        deadline = time.monotonic() + self._timeout
        futures: list[asyncio.Future[object]] = []
        # No timeout around the enqueueing: aiokafka bounds its own waits (for metadata, for
        # room in a full batch) by request_timeout_ms, our timeout, and fails the send after.
        try:
            for m in messages:
                futures.append(await producer.send(m.topic, m.value, key=m.key))
        except TRANSIENT as exc:
            log.warning("kafka enqueue failed after %d of %d: %s", len(futures), len(messages), exc)
        except KafkaError as exc:  # closed, or its sender died: it takes nothing any more
            self._replace(producer, type(exc).__name__)
        result.failed = list(range(len(futures), len(messages)))
        if futures:
            await _settle(futures, deadline - time.monotonic())
        failure: BaseException | None = None
        for i, future in enumerate(futures):
            if not future.done():
                result.pending.append(i)
                self._overdue += 1
                self._unsettled.setdefault(id(producer), set()).add(future)
                future.add_done_callback(functools.partial(self._settled, producer, late, i))
            elif _ok(future):
                result.acked.append(i)
            else:
                result.failed.append(i)
                failure = failure or _error(future)
        if failure is not None:
            self._replace(producer, type(failure).__name__)
        result.failed.sort()
        return result

    def _settled(self, producer: AIOKafkaProducer, late: Late, position: int, future: Future) -> None:
        self._overdue -= 1
        self._unsettled.get(id(producer), set()).discard(future)
        ok = _ok(future)
        if not ok:
            self._replace(producer, type(_error(future)).__name__)
        late(position, ok)


async def _settle(futures: list[asyncio.Future[object]], within: float) -> None:
    """Waits until every future is done or `within` seconds passed: asyncio.wait without its sets and
    callback removal, which cost more than the wait itself for a single report."""
    left = sum(not f.done() for f in futures)
    if not left or within <= 0:
        return
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def one_done(_: asyncio.Future[object]) -> None:
        nonlocal left
        left -= 1
        if not left and not waiter.done():
            waiter.set_result(None)

    for future in futures:
        if not future.done():
            future.add_done_callback(one_done)
    timer = loop.call_later(within, _wake, waiter)
    try:
        await waiter
    finally:
        timer.cancel()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _ok(future: Future) -> bool:
    return not future.cancelled() and future.exception() is None


def _error(future: Future) -> BaseException:
    return asyncio.CancelledError() if future.cancelled() else future.exception() or KafkaError()
