"""Handles one batch of faust events while the next one is collected.

With faust's `take_events` a batch that took 100 ms to handle and a 100 ms window made a
200 ms cycle, which every report's latency paid. Here the agent hands the batch to a
background task and returns at once, so the next window runs while this batch is handled
(collector.py); the next batch waits only for the rest of this one's handling (`idle`). One
batch is handled at a time, in order.

Each batch's events hold one more reference than the collector releases until their handling
has finished, so faust never commits the offset of a report not yet handled; a handling that
fails leaves its events (and the next batch's) unacked and re-raises in the agent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)


class Overlapped:
    def __init__(self, handle: Callable[[Sequence[Any]], Awaitable[None]]) -> None:
        self._handle = handle
        self._current: asyncio.Future[None] | None = None

    async def submit(self, events: Sequence[Any]) -> None:
        """Waits for the previous batch's handling (re-raising its error), then starts `events`'."""
        for event in events:  # held from now on, whatever happens to the previous batch
            event.message.incref()
        await self.idle()
        self._current = asyncio.ensure_future(self._run(events))

    async def idle(self) -> None:
        """Waits for the batch being handled, if any (re-raising its error)."""
        if self._current is not None:
            try:
                # Shielded: an agent stopped while it waits lets the batch finish (`finish`).
                await asyncio.shield(self._current)
            except Exception:
                self._current = None  # its error is raised here, not again by `finish`
                raise

    async def _run(self, events: Sequence[Any]) -> None:
        await self._handle(events)
        for event in events:
            event.ack()

    async def finish(self, wait_s: float) -> None:
        """Stopping: lets the batch being handled finish within `wait_s` seconds (else it is
        cancelled and stays unacked, to be replayed)."""
        current, self._current = self._current, None
        if current is None:
            return
        done, _ = await asyncio.wait((current,), timeout=wait_s)
        if not done:
            current.cancel()
            log.warning("a batch was still being handled at shutdown; it will be replayed")
        elif not current.cancelled() and current.exception() is not None:
            log.error("the last batch failed at shutdown: %r", current.exception())
