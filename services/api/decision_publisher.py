"""Coordinators' verification decisions to the verifications topic, once PostgreSQL holds them.

The database is the record (the decision and its audit row commit together); the message tells
the aggregator which station to recompute. A decision whose message Kafka did not take is
refused with UNAVAILABLE after it was recorded: repeating it publishes it again (a report that
is or was rejected or quarantined is recomputed on every decision, so a repeat is harmless).
The producer starts on the first decision, so the API starts while the broker is down.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.api.availability import RETRY_AFTER_SECONDS
from services.api.errors import UnavailableError
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings

log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 10.0


class DecisionPublisher:
    def __init__(self, shared: SharedSettings) -> None:
        self._shared = shared
        self._topic = shared.topic(topics.VERIFICATIONS.name)
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def _started(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._shared.kafka_bootstrap, acks="all", enable_idempotence=True
                )
                await producer.start()
                self._producer = producer
            return self._producer

    async def publish(self, decision: ev.VerificationDecision) -> None:
        """Returns once Kafka has the decision; UnavailableError if it did not take it."""
        key = (decision.station_id or decision.region_id).encode()
        try:
            producer = await asyncio.wait_for(self._started(), SEND_TIMEOUT_S)
            await asyncio.wait_for(
                producer.send_and_wait(self._topic, codec.encode_verification_decision(decision), key=key),
                SEND_TIMEOUT_S,
            )
        except (KafkaError, TimeoutError) as exc:
            log.warning("verification decision %s %s not published: %r", decision.subject, decision.id, exc)
            raise UnavailableError(
                f"the decision on {decision.id} is recorded but Kafka did not take it, so the figures"
                f" do not follow it yet: repeat it in {RETRY_AFTER_SECONDS} s",
                dependency="kafka",
                retryAfter=RETRY_AFTER_SECONDS,
            ) from None

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
