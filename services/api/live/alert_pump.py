"""Publishing alert transitions at the pace of the subscribers that keep up.

Alerts are not conflated: each subscriber has a bounded queue and is ended with
SUBSCRIBER_OVERFLOW when it overflows. A Kafka fetch can hold thousands of transitions (a
national replay, the feed catching up after a restart); publishing a whole fetch without
letting the subscribers' tasks run overflowed every queue smaller than the fetch, however fast
its client read. The pump publishes one transition at a time, lets other tasks run every
`YIELD_EVERY`, and waits while a subscriber that keeps up (its queue emptied less than `grace`
seconds ago) has a full queue. One whose queue stays non-empty longer is behind: the pump goes
on, and that subscriber overflows. The feed stops fetching alerts while the pump's backlog is
above `PAUSE_AT` (tests/unit/api/test_alert_pump.py, tests/integration/api/test_alert_burst.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterable

from services.api import metrics
from services.api.live.hub import AlertChannel

YIELD_EVERY = 64
# The feed pauses the alert partitions above this backlog and resumes them below RESUME_AT.
PAUSE_AT = 2000
RESUME_AT = 500


class AlertPump:
    """A FIFO of encoded alert transitions, published by `run` to `channel` through `publish`."""

    def __init__(self, channel: AlertChannel, publish: Callable[[bytes | None], bool], grace: float) -> None:
        self._channel = channel
        self._publish = publish
        self._grace = grace
        self._pending: deque[bytes | None] = deque()
        self._work = asyncio.Event()

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def put(self, values: Iterable[bytes | None]) -> None:
        self._pending.extend(values)
        if self._pending:
            self._work.set()

    async def _wait_for_room(self) -> None:
        """Until no subscriber that keeps up has a full queue (at most `grace` per subscriber)."""
        started = time.perf_counter()
        while (sub := self._channel.blocking(self._grace)) is not None:
            # On timeout it stopped keeping up: `blocking` no longer names it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.room.wait(), max(0.01, sub.seconds_left(self._grace)))
        metrics.FEED_ALERTS_HELD.inc(time.perf_counter() - started)

    async def run(self) -> None:
        published = 0
        while True:
            if not self._pending:
                self._work.clear()
                await self._work.wait()
                continue
            if self._channel.blocking(self._grace) is not None:
                await self._wait_for_room()
            self._publish(self._pending.popleft())
            published += 1
            if published % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the subscribers' tasks drain their queues meanwhile
