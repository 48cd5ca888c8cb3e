"""Stopping an aiokafka producer within a bound, whatever it still holds.

`AIOKafkaProducer.stop()` first waits for every batch it holds to be delivered, and an
idempotent producer retries a batch it has sent until the broker acknowledges it: with the
broker gone, `stop()` never returns. `retire` lets the producer deliver for `grace` seconds,
then stops its sender (waiting for the produce request in flight, which its request timeout
bounds), fails every batch still held (their futures get `ProducerRetiredError`, so whoever
waits on them learns they were not written by this producer) and closes it.

Failing the held batches reaches into aiokafka (patch `aiokafka.retire`,
services/patches/aiokafka.py). With it off, `retire` falls back to the stock `stop()` under a
timeout and the caller fails what it still waits for (services/ingest/producer.py).
tests/integration/ingest/test_producer_recovery.py holds it to its behaviour against the real broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services import patches
from services.patches import aiokafka as aiokafka_patch

log = logging.getLogger(__name__)


class ProducerRetiredError(KafkaError):  # type: ignore[misc]  # aiokafka is untyped
    """The producer holding this message was retired before Kafka acknowledged it."""


def fenced(producer: AIOKafkaProducer) -> bool:
    """Whether `retire` fails what `producer` holds (else the stock path)."""
    return patches.enabled("aiokafka.retire") and aiokafka_patch.has_internals(producer)


async def retire(producer: AIOKafkaProducer, grace: float) -> None:
    """Delivers what `producer` can within `grace` seconds, fails the rest, and closes it."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(producer.flush(), grace)
    if not fenced(producer):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(producer.stop(), grace)
        return
    await aiokafka_patch.fail_held(producer, ProducerRetiredError())
    await producer.stop()
