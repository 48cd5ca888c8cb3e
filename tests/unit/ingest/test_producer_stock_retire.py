"""A retired producer without the internals `aiokafka.retire` fails (the stock stop): the writes
it never settled are reported failed, and shutdown stays bounded."""

from __future__ import annotations

import asyncio
from typing import Any

from services.ingest.metrics import IngestMetrics
from services.ingest.producer import Message, Producer
from services.ingest.producer_retire import ProducerRetiredError, fenced


class StuckProducer:
    """Takes messages and never delivers them; its flush and stop wait for ever."""

    def __init__(self) -> None:
        self.futures: list[asyncio.Future[Any]] = []

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        return future

    async def flush(self) -> None:
        await asyncio.Event().wait()

    async def stop(self) -> None:
        await asyncio.Event().wait()


async def test_writes_a_stock_stopped_producer_left_unsettled_are_reported_failed() -> None:
    producer = Producer("127.0.0.1:1", timeout=0.05, linger_ms=0, metrics=IngestMetrics())
    stuck = StuckProducer()
    assert not fenced(stuck)
    producer._producer = stuck
    lates: list[tuple[int, bool]] = []
    written = await producer.write([Message("reports", b"S1", b"r")], lambda i, ok: lates.append((i, ok)))
    assert written.pending == [0]
    assert not producer.writable
    await asyncio.wait_for(producer.stop(), 2)
    await asyncio.sleep(0)
    assert lates == [(0, False)]
    assert isinstance(stuck.futures[0].exception(), ProducerRetiredError)
    assert producer._unsettled == {}  # nothing kept for the retired producer
