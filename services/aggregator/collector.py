"""Collects a faust stream's events into batches, also while the previous batch is handled.

faust's `take_events` stops collecting while the agent holds a batch, so with `overlap.py` a
batch held only what was delivered in one `within` window: from a backlog, ~50 ms of a CPU
shared with the handling, a few hundred reports, rarely two of one station, so every report
paid its station's figures, state record and rows. Here a processor on the stream appends every
event as it is delivered, whatever the agent is doing. The agent takes a batch once the previous
one has been handled and either `max_` events wait or the oldest has waited its window.

The window is `within` (live: it bounds the latency batching adds), longer when the batch's
first record is already more than `behind_s` old when it arrives (a backlog, or a worker that
fell behind): `LATE_SHARE` of its age, at most `catchup_within`. The worker's one thread either
delivers records or handles them, so only a longer window makes a batch hold several reports
per station and share their writes (60,000 backlog reports over 2,000 stations: 338 a batch and
~190-220 us of CPU each with 50 ms, ~3,000 and ~140-155 us with 500 ms). A report that is
already seconds late loses little by waiting a share of that more, and the backlog drains
faster. As the window is a share of the age it adds to, the age falls back (age' = share * age
+ handling) and live windows return once the worker has caught up; below `behind_s` (above the
live p99) nothing changes. Ages come from Kafka's record timestamps, the producer's clock
(ingest's): a clock ahead of the aggregator's by more than `behind_s` would lengthen live
windows (NTP keeps them much closer).

Acks are the agent's"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from time import monotonic, time
from typing import Any

from services import patches
from services.patches import faust as faust_patch

# The share of a late batch's age it may wait for more reports.
LATE_SHARE = 0.25


class Collector:
    """The buffer: events in as delivered, batches out (no faust here, see `collect`)."""

    def __init__(self, max_: int, within_s: float, catchup_within_s: float, behind_s: float) -> None:
        self.max, self.within_s = max_, within_s
        self.catchup_within_s, self.behind_s = catchup_within_s, behind_s
        self._events: list[Any] = []
        self._deadline = 0.0
        self._arrived = asyncio.Event()  # something is waiting
        self._full = asyncio.Event()  # `max` events are waiting
        self._room = asyncio.Event()  # fewer than `max` are waiting
        self._room.set()

    async def add(self, event: Any, age_s: float) -> None:
        """Appends an event whose record is `age_s` old; while `max` wait, waits for them to be
        taken (back-pressure)."""
        while len(self._events) >= self.max:
            await self._room.wait()
        if not self._events:
            self._deadline = monotonic() + self.window_s(age_s)
            self._arrived.set()
        self._events.append(event)
        if len(self._events) >= self.max:
            self._full.set()
            self._room.clear()

    def window_s(self, age_s: float) -> float:
        """How long a batch whose first record is `age_s` old waits for more."""
        if age_s <= self.behind_s:
            return self.within_s
        return max(self.within_s, min(self.catchup_within_s, LATE_SHARE * age_s))

    async def take(self) -> list[Any]:
        """The next batch: everything waiting, once `max` wait or the oldest waited its window."""
        await self._arrived.wait()
        left = self._deadline - monotonic()
        if left > 0 and not self._full.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), left)
        events, self._events = self._events, []
        self._arrived.clear()
        self._full.clear()
        self._room.set()
        return events


async def collect(
    stream: Any,
    collector: Collector,
    idle: Callable[[], Awaitable[None]],
    submit: Callable[[Sequence[Any]], Awaitable[None]],
) -> None:
    """Feeds `stream`'s events to `submit` in batches, each taken once `idle` returns (the
    previous batch handled). Runs until cancelled; events not yet submitted stay unacked."""

    async def add_to_buffer(value: Any) -> Any:
        event = stream.current_event
        # Kafka's record timestamp (the producer's clock: ingest's, or the broker's).
        stamped = event.message.timestamp
        await collector.add(event, time() - stamped if stamped else 0.0)
        return value

    acks = stream.enable_acks
    stream.enable_acks = False  # acked below, once submitted
    stop_draining = _drain(stream, add_to_buffer)
    try:
        while not stream.should_stop:
            await idle()
            events = await collector.take()
            await submit(events)
            for event in events:
                await stream.ack(event)
    finally:
        stream.enable_acks = acks
        stop_draining()


def _drain(stream: Any, add: Callable[[Any], Awaitable[Any]]) -> Callable[[], None]:
    """Runs `add` on every value of `stream` in the background; returns what stops that.

    faust's own `take_events` drains the stream with its passive drainer (patch
    `faust.passive_stream`); the stock path is a task iterating the stream."""
    if patches.enabled("faust.passive_stream"):
        return faust_patch.drain_passively(stream, add)

    async def drain() -> None:
        async for value in stream:
            await add(value)

    task = asyncio.ensure_future(drain())

    def stop() -> None:
        task.cancel()

    return stop
