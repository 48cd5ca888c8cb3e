"""A protobuf report produced to and consumed from the real broker, keyed by station."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from tests.support.factories import turnout


async def test_report_round_trips_through_kafka(kafka_bootstrap: str, kafka_topics: str) -> None:
    topic = topics.REPORTS.qualified(kafka_topics)
    sent = [turnout(100 * i, id=f"r-{i}", station_id="AKM-0001", minutes=10 * i) for i in range(1, 4)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        metas = [
            await producer.send_and_wait(topic, codec.encode_report(r), key=r.station_id.encode())
            for r in sent
        ]
    finally:
        await producer.stop()
    # Same key, same partition: a station's reports stay in order.
    assert len({m.partition for m in metas}) == 1

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        received: list[tuple[bytes | None, ev.Report]] = []
        while len(received) < len(sent):
            batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 30)
            for messages in batch.values():
                received += [(m.key, codec.decode_report(m.value)) for m in messages]
    finally:
        await consumer.stop()
    assert [r for _, r in received] == sent
    assert {k for k, _ in received} == {b"AKM-0001"}


async def test_registry_topics_exist_with_their_partitions(kafka_bootstrap: str, kafka_topics: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([t.qualified(kafka_topics) for t in topics.ALL])
    finally:
        await admin.close()
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    assert partitions == {t.qualified(kafka_topics): t.partitions for t in topics.ALL}
