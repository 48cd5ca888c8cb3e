"""The token bucket: its rate over time, its burst, and a 429's pause for every worker."""

from __future__ import annotations

import asyncio

from services.messenger.rate import TokenBucket


class FakeTime:
    """Time that moves only when a waiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)  # let the other waiters run, as a real sleep would


async def test_rate_and_burst() -> None:
    clock = FakeTime()
    bucket = TokenBucket(rate=10, burst=5, now=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        assert await bucket.acquire() == 0  # the burst at once
    for _ in range(20):
        await bucket.acquire()
    assert abs(clock.now - 2.0) < 1e-9  # then 10 a second


async def test_a_pause_holds_every_worker() -> None:
    clock = FakeTime()
    bucket = TokenBucket(rate=100, burst=100, now=clock.monotonic, sleep=clock.sleep)
    bucket.pause(30)

    async def worker() -> float:
        await bucket.acquire()
        return clock.now  # when it got its token

    assert min(await asyncio.gather(*(worker() for _ in range(3)))) >= 30
