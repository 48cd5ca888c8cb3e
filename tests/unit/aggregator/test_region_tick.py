"""The region agent's tick timer never waits for the producer: while a national day's output kept
it busy, awaiting each tick's send made the timer overlap its interval ("Timer region_tick is
overlapping"). A tick still on its way makes the next one redundant."""

from __future__ import annotations

import asyncio
from typing import Any

from services.aggregator import summaries
from services.aggregator.region_agent import RegionAgent
from tests.unit.aggregator.faust_events import settle


class BusyTopic:
    """A summaries topic whose sends wait until `gate` opens (the producer is busy)."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.sent: list[bytes] = []

    async def send(self, key: bytes, value: bytes) -> Any:
        await self.gate.wait()
        self.sent.append(key)
        return None


def agent(topic: BusyTopic) -> RegionAgent:
    regions = RegionAgent.__new__(RegionAgent)
    regions.summaries = topic  # type: ignore[assignment]
    regions.ticking = None
    return regions


async def test_a_tick_returns_at_once_and_none_follows_while_it_is_on_its_way() -> None:
    topic = BusyTopic()
    regions = agent(topic)

    await asyncio.wait_for(regions.tick(), timeout=1)  # the producer is busy: no wait here
    await regions.tick()
    await settle()
    assert topic.sent == []
    topic.gate.set()
    await settle()
    assert topic.sent == [summaries.TICK]  # one tick, not two

    await regions.tick()  # the last one is sent: the next goes out
    await settle()
    assert topic.sent == [summaries.TICK, summaries.TICK]
