"""A batch is handled while the next one is collected: one at a time, in order, and its events
stay unacked (their offsets not committable) until it has been handled."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from faust.events import Event

from services.aggregator.overlap import Overlapped
from tests.unit.aggregator.faust_events import Consumer, batch, settle


def taken(events: list[Event]) -> None:
    """What take_events does once the agent hands the batch back."""
    for event in events:
        event.ack()


async def test_the_next_batch_is_collected_while_one_is_handled_and_acked_after_it() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    gates = [asyncio.Event(), asyncio.Event()]
    log: list[str] = []

    async def handle(events: Sequence[Any]) -> None:
        n = events[0].message.offset // 10
        log.append(f"start {n}")
        await gates[n].wait()
        log.append(f"end {n}")

    batches = Overlapped(handle)
    first, second = batch(app, range(0, 3)), batch(app, range(10, 12))
    await batches.submit(first)  # returns while the batch is being handled
    taken(first)
    await settle()
    assert log == ["start 0"]
    assert consumer.acked == []  # handling: not committable yet
    submitting = asyncio.ensure_future(batches.submit(second))
    await settle()
    assert not submitting.done()  # waits for the first batch: one at a time
    assert log == ["start 0"]
    gates[0].set()
    await submitting
    taken(second)
    await settle()
    assert log == ["start 0", "end 0", "start 1"]
    assert consumer.acked == [0, 1, 2]
    gates[1].set()
    await batches.finish(wait_s=1)
    assert log[-1] == "end 1"
    assert consumer.acked == [0, 1, 2, 10, 11]


async def test_a_failed_batch_raises_in_the_agent_and_leaves_it_and_the_next_unacked() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)

    async def handle(events: Sequence[Any]) -> None:
        raise RuntimeError("PostgreSQL gone for good")

    batches = Overlapped(handle)
    first, second = batch(app, range(0, 2)), batch(app, range(10, 12))
    await batches.submit(first)
    taken(first)
    with pytest.raises(RuntimeError, match="gone for good"):
        await batches.submit(second)
    taken(second)  # take_events' finally, as the error leaves the agent's loop
    await settle()
    assert consumer.acked == []


async def test_finish_cancels_a_batch_that_outlasts_the_timeout_and_leaves_it_unacked() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    never = asyncio.Event()

    async def handle(events: Sequence[Any]) -> None:
        await never.wait()

    batches = Overlapped(handle)
    events = batch(app, range(0, 2))
    await batches.submit(events)
    taken(events)
    await batches.finish(wait_s=0.05)
    await settle()
    assert consumer.acked == []


async def test_an_agent_stopped_while_it_waits_lets_the_batch_being_handled_finish() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    gate = asyncio.Event()
    handled: list[int] = []

    async def handle(events: Sequence[Any]) -> None:
        await gate.wait()
        handled.append(events[0].message.offset)

    batches = Overlapped(handle)
    first, second = batch(app, range(0, 2)), batch(app, range(10, 12))
    await batches.submit(first)
    taken(first)
    waiting = asyncio.ensure_future(batches.submit(second))
    await settle()
    waiting.cancel()  # faust stops the agent
    with pytest.raises(asyncio.CancelledError):
        await waiting
    taken(second)
    gate.set()
    await batches.finish(wait_s=1)
    assert handled == [0]  # the first batch was not cancelled with the agent
    assert consumer.acked == [0, 1]  # and is acked; the second was never handled: unacked
