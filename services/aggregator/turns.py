"""One writer of station states at a time: the station agent's batches and the recomputations
after a verification decision (verification_agent.py) take turns on one lock, so a batch never
holds a state that a recomputation replaces underneath it, nor the other way round."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Handle = Callable[[Sequence[Any]], Awaitable[None]]


class Turns:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()

    def guard(self, handle: Handle) -> Handle:
        """`handle`, run only while no one else has the turn."""

        async def guarded(events: Sequence[Any]) -> None:
            async with self.lock:
                await handle(events)

        return guarded
