"""Stopping an aiokafka producer within a bound, whatever it still holds.

`AIOKafkaProducer.stop()` first waits for every batch it holds to be delivered, and an
idempotent producer retries a batch it has sent until the broker acknowledges it: with the
broker gone, `stop()` never returns. `retire` lets the producer deliver for `grace` seconds,
then stops its sender (waiting for the produce request in flight, which its request timeout
bounds), fails every batch still held (their futures get `ProducerRetiredError`, so whoever
waits on them learns they were not written by this producer) and closes it.

This reaches into aiokafka's producer (`_sender`, `_message_accumulator.fail_all`), written
for aiokafka 0.12-0.14 (pinned in constraints.txt). When those are not there, `retire` falls
back to the stock `stop()` under a timeout. tests/integration/ingest/test_producer_recovery.py
holds it to its behaviour against the real broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


class ProducerRetiredError(KafkaError):  # type: ignore[misc]  # aiokafka is untyped
    """The producer holding this message was retired before Kafka acknowledged it."""


def fenced(producer: AIOKafkaProducer) -> bool:
    """Whether `producer` has the internals `retire` reaches for (else the stock path)."""
    sender: Any = getattr(producer, "_sender", None)
    accumulator: Any = getattr(producer, "_message_accumulator", None)
    return callable(getattr(sender, "close", None)) and callable(getattr(accumulator, "fail_all", None))


async def retire(producer: AIOKafkaProducer, grace: float) -> None:
    """Delivers what `producer` can within `grace` seconds, fails the rest, and closes it."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(producer.flush(), grace)
    if not fenced(producer):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(producer.stop(), grace)
        return
    # The sender first: a batch failed under a produce request in flight would be re-queued
    # by it afterwards, and aiokafka trips over that.
    await producer._sender.close()
    producer._message_accumulator.fail_all(ProducerRetiredError())
    await producer.stop()
