"""Long loops let the rest of the worker run (services/aggregator/slices.py): one event loop
serves every agent, faust's timers and its consumer thread's keepalive."""

from __future__ import annotations

import asyncio

from services.aggregator.slices import SLICE, sliced


async def test_a_long_loop_yields_to_the_event_loop_every_slice() -> None:
    ticks = 0
    seen: list[int] = []

    async def other_agent() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    beside = asyncio.ensure_future(other_agent())
    await asyncio.sleep(0)
    started = ticks
    async for n in sliced(range(4 * SLICE)):
        seen.append(ticks - started)
        assert n == len(seen) - 1  # every item, in order
    beside.cancel()
    # The other task ran once after each slice, never inside one.
    assert seen[:SLICE] == [0] * SLICE
    assert seen[SLICE] >= 1
    assert seen[-1] >= 3
