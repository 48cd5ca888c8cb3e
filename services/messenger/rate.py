"""The gateway's rate limit: a token bucket shared by the sender's workers.

Time comes from a monotonic function passed in, so tests drive it by hand. A gateway's 429
pauses every worker (`pause`), not only the one that saw it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: int,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._now = now
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = now()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def pause(self, seconds: float) -> None:
        """No token for anyone for `seconds` (the gateway said: too many requests)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        self._tokens = 0.0

    async def acquire(self) -> float:
        """Waits for a token; returns how long it waited (seconds)."""
        started = self._now()
        async with self._lock:  # first come, first served
            while True:
                now = self._now()
                if now < self._paused_until:
                    wait = self._paused_until - now
                else:
                    self._refill()
                    if self._tokens >= 1 - 1e-9:  # refills add up in floating point
                        self._tokens = max(0.0, self._tokens - 1)
                        return self._now() - started
                    wait = (1 - self._tokens) / self._rate
                await self._sleep(wait)
