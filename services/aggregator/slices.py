"""Long loops in slices. The worker's agents share one thread and one event loop: a loop over a
national batch (20,000 reports, states or rows) held it for seconds, and with it every other
agent, the PostgreSQL replies, faust's timers ("Timer ... is overlapping") and the consumer
thread's keepalive ("PacedConsumerThread keepalive is not responding")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")
# Items handled between two yields to the event loop: a few milliseconds of work.
SLICE = 500


async def sliced(items: Iterable[T], size: int = SLICE) -> AsyncIterator[T]:
    """`items`, letting the rest of the worker run after every `size` of them."""
    for n, item in enumerate(items, 1):
        yield item
        if n % size == 0:
            await asyncio.sleep(0)
