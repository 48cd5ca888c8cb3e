"""Starting the messenger's Kafka clients, waiting (with backoff) while Kafka is not reachable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 30.0


async def start_when_reachable(start: Callable[[], Awaitable[None]], what: str) -> None:
    """Calls `start` until it no longer raises a KafkaError."""
    delay = 1.0
    while True:
        try:
            await start()
            return
        except KafkaError as exc:
            log.warning("%s: Kafka not reachable yet (%s)", what, exc.__class__.__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_WAIT_SECONDS)
