"""The API's writer to the broadcasts topic: one Kafka producer, started on the first broadcast
requested (most API processes never send one) and stopped with the app."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.common.broadcasts import publish
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings

# How long a request waits for Kafka to take the broadcast before it is answered UNAVAILABLE.
PUBLISH_TIMEOUT_SECONDS = 10.0


class BroadcastUnavailableError(Exception):
    """Kafka did not take the broadcast: nothing was sent; the same request may be repeated."""


class BroadcastPublisher:
    def __init__(self, shared: SharedSettings) -> None:
        self._shared = shared
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _started(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(bootstrap_servers=self._shared.kafka_bootstrap, acks="all")
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()  # its background tasks, started or not
                    raise
                self._producer = producer
            return self._producer

    async def publish(self, broadcast: ev.Broadcast) -> None:
        """Checks the broadcast (BroadcastError) and returns once Kafka has it."""
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
                await publish(await self._started(), self._shared, broadcast)
        except (KafkaError, TimeoutError) as exc:
            raise BroadcastUnavailableError(exc.__class__.__name__) from exc

    async def stop(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
