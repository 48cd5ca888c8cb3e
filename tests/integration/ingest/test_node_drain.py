"""One produce request carries all of a broker's batches once one of them is ready
(services/patches/aiokafka.py), against the real broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from services.common.contracts import topics
from services.patches.aiokafka import drain_together

LINGER_MS = 400


@pytest.mark.parametrize(("together", "expected"), [(True, [{0, 1}]), (False, [{0}, {1}])])
async def test_a_ready_batch_takes_the_brokers_lingering_batches_along(
    kafka_bootstrap: str, kafka_topics: str, together: bool, expected: list[set[int]]
) -> None:
    topic = f"{kafka_topics}.{topics.REPORTS.name}"
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, linger_ms=LINGER_MS
    )
    if together:
        drain_together(producer)
    await producer.start()
    requests: list[set[int]] = []
    sender: Any = producer._sender
    send_request = sender._send_produce_req

    async def recorded(node_id: int, batches: dict[Any, Any]) -> Any:
        requests.append({tp.partition for tp in batches})
        return await send_request(node_id, batches)

    sender._send_produce_req = recorded
    try:
        first = await producer.send(topic, b"first", key=b"ALA-0123", partition=0)
        await asyncio.sleep(LINGER_MS / 2000)  # the second batch is half its linger younger
        second = await producer.send(topic, b"second", key=b"ALA-0456", partition=1)
        written = await asyncio.gather(first, second)
    finally:
        await producer.stop()
    assert [(m.partition, m.offset) for m in written] == [(0, 0), (1, 0)]
    assert requests == expected
