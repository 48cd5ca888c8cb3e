"""A producer whose delivery failed is replaced, and a retired one is stopped within a bound,
against the real broker (services/ingest/producer.py, producer_retire.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import TopicPartition

from services.common.contracts import topics
from services.ingest.metrics import IngestMetrics
from services.ingest.producer import Message, Producer
from services.ingest.producer_retire import ProducerRetiredError, retire
from tests.support.patches import needs_patch

STATION = b"ALA-0123"


def replacements(metrics: IngestMetrics, reason: str) -> float:
    value = metrics.registry.get_sample_value(
        "pollwatch_ingest_kafka_producer_replacements_total", {"reason": reason}
    )
    return value or 0.0


async def until(condition: Any, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.05)


async def test_a_gap_in_the_sequence_numbers_retires_the_producer_and_a_new_one_writes(
    kafka_bootstrap: str, kafka_topics: str
) -> None:
    """What a batch failed after it was numbered leaves behind (a broker restart under load does
    it: tests/integration/ingest/test_outage_under_load.py), made here directly: the partition's
    next sequence number skips three, and the broker refuses every later batch for it."""
    topic = f"{kafka_topics}.{topics.REPORTS.name}"
    metrics = IngestMetrics()
    producer = Producer(kafka_bootstrap, timeout=5, linger_ms=0, metrics=metrics)
    await producer.start()
    lates: list[tuple[int, bool]] = []

    def late(i: int, ok: bool) -> None:
        lates.append((i, ok))

    try:
        first = await producer.write([Message(topic, STATION, b"first")], late)
        assert first.acked == [0]
        inner: Any = producer._producer
        partition = inner._partition(topic, None, None, None, STATION, b"")
        inner._txn_manager.increment_sequence_number(TopicPartition(topic, partition), 3)

        refused = await producer.write([Message(topic, STATION, b"refused")], late)
        assert refused.failed == [0]
        await until(lambda: producer.writable)
        again = await producer.write([Message(topic, STATION, b"again")], late)
        assert again.acked == [0]
        assert producer._producer is not inner
        assert replacements(metrics, "OutOfOrderSequenceNumber") == 1
    finally:
        await producer.stop()
    assert lates == []


async def test_retiring_delivers_what_it_holds_when_kafka_takes_it(
    kafka_bootstrap: str, kafka_topics: str
) -> None:
    topic = f"{kafka_topics}.{topics.REPORTS.name}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    held = [await producer.send(topic, f"held {n}".encode(), key=STATION) for n in range(20)]
    await retire(producer, grace=5)
    assert all(not f.exception() for f in held)


@needs_patch("aiokafka.retire")
async def test_retiring_fails_what_is_not_delivered_within_the_grace(
    kafka_bootstrap: str, kafka_topics: str
) -> None:
    """A batch that would linger for a minute stands for one that cannot be delivered."""
    topic = f"{kafka_topics}.{topics.REPORTS.name}"
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, linger_ms=60_000
    )
    await producer.start()
    stuck = await producer.send(topic, b"stuck", key=STATION)
    started = time.monotonic()
    await retire(producer, grace=1)
    assert time.monotonic() - started < 5
    assert isinstance(stuck.exception(), ProducerRetiredError)


# Off, the stock stop leaves the stuck producer's connections open past the test's event loop.
@needs_patch("aiokafka.retire")
async def test_a_write_past_its_deadline_makes_the_producer_unwritable_and_shutdown_is_bounded(
    kafka_bootstrap: str, kafka_topics: str
) -> None:
    topic = f"{kafka_topics}.{topics.REPORTS.name}"
    producer = Producer(kafka_bootstrap, timeout=1, linger_ms=60_000, metrics=IngestMetrics())
    await producer.start()
    lates: list[tuple[int, bool]] = []
    try:
        assert producer.writable
        stuck = [Message(topic, STATION, b"stuck")]
        written = await producer.write(stuck, lambda i, ok: lates.append((i, ok)))
        assert written.pending == [0]
        assert not producer.writable
    finally:
        started = time.monotonic()
        await producer.stop()
    # Shutdown does not wait for Kafka for ever; what it gave up on is reported not written.
    assert time.monotonic() - started < 5
    assert lates == [(0, False)]
