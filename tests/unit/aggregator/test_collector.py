"""Batches are collected while the previous one is handled: a live batch waits at most its
short window, a batch of late records a share of their lateness (capped), a full batch not at
all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from services.aggregator.collector import LATE_SHARE, Collector, collect
from services.aggregator.overlap import Overlapped
from tests.support.patches import switch_all_off
from tests.unit.aggregator.faust_events import Consumer, batch, settle

LIVE_S, CATCHUP_S, BEHIND_S = 0.05, 30.0, 1.0
LATE_S = 20.0  # a record this old waits LATE_SHARE * LATE_S = 5 s


def collector(max_: int = 100, catchup_s: float = CATCHUP_S) -> Collector:
    return Collector(max_, LIVE_S, catchup_within_s=catchup_s, behind_s=BEHIND_S)


async def test_a_live_batch_is_taken_once_its_first_event_waited_the_short_window() -> None:
    c = collector()
    taking = asyncio.ensure_future(c.take())
    await settle()
    assert not taking.done()  # nothing yet
    await c.add("a", age_s=0.1)
    await c.add("b", age_s=0.1)
    await settle()
    assert not taking.done()  # window open
    await asyncio.sleep(LIVE_S * 2)
    assert await asyncio.wait_for(taking, 1) == ["a", "b"]


async def test_late_records_wait_a_share_of_their_lateness_unless_the_batch_fills() -> None:
    c = collector(max_=3)
    await c.add("a", age_s=LATE_S)  # its record was written 20 s ago: behind
    taking = asyncio.ensure_future(c.take())
    await asyncio.sleep(LIVE_S * 3)
    assert not taking.done()  # the live window has long passed: still collecting
    await c.add("b", age_s=0.0)
    await c.add("c", age_s=0.0)
    assert await asyncio.wait_for(taking, 1) == ["a", "b", "c"]


async def test_only_the_first_event_of_a_batch_sets_its_window() -> None:
    c = collector()
    await c.add("a", age_s=0.0)
    await c.add("b", age_s=LATE_S)
    assert await asyncio.wait_for(c.take(), 1) == ["a", "b"]
    await c.add("c", age_s=LATE_S)
    taking = asyncio.ensure_future(c.take())
    await asyncio.sleep(LIVE_S * 3)
    assert not taking.done()  # the next batch starts late: catch-up window
    taking.cancel()


def test_the_window_is_a_share_of_the_lateness_beyond_the_threshold_and_capped() -> None:
    c = collector(catchup_s=0.5)
    assert c.window_s(0.0) == LIVE_S
    assert c.window_s(BEHIND_S * 0.9) == LIVE_S  # a share would be 225 ms: not behind
    assert c.window_s(BEHIND_S * 1.1) == pytest.approx(LATE_SHARE * BEHIND_S * 1.1)
    assert c.window_s(1000.0) == 0.5  # the cap
    assert collector(catchup_s=0.01).window_s(1000.0) == LIVE_S  # never below the live window


async def test_a_full_buffer_holds_delivery_back_until_it_is_taken() -> None:
    c = collector(max_=2)
    await c.add("a", age_s=0.0)
    await c.add("b", age_s=0.0)
    third = asyncio.ensure_future(c.add("c", age_s=0.0))
    await settle()
    assert not third.done()  # back-pressure: never more than max_ in a batch
    assert await asyncio.wait_for(c.take(), 1) == ["a", "b"]
    await asyncio.wait_for(third, 1)
    await asyncio.sleep(LIVE_S * 2)
    assert await asyncio.wait_for(c.take(), 1) == ["c"]


class Channel:
    def __aiter__(self) -> Channel:
        return self

    async def __anext__(self) -> Any:
        raise StopAsyncIteration


class Stream:
    """What `collect` uses of a faust Stream: processors fed by the passive drainer, the
    current event, and acks (which release the stream's reference)."""

    def __init__(self, app: Any, events: list[Any]) -> None:
        self.app, self.pending = app, events
        self.enable_acks, self.should_stop, self.channel = True, False, Channel()
        self._processors: list[Any] = []
        self.current_event: Any = None
        self.drainer: asyncio.Future[None] | None = None

    def add_processor(self, processor: Any) -> None:
        self._processors.append(processor)

    def _enable_passive(self, channel: Any) -> None:
        self.drainer = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        for event in self.pending:
            self.current_event = event
            for processor in self._processors:
                await processor(event.value)

    async def ack(self, event: Any) -> bool:
        return bool(event.ack())

    async def __aiter__(self) -> AsyncIterator[Any]:  # the stock path iterates the stream
        for event in self.pending:
            self.current_event = event
            yield event.value


async def test_collect_submits_batches_in_order_and_they_are_committable_once_handled() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    events = batch(app, range(5))
    for event in events:
        event.message.timestamp = 0.0  # unknown: treated as live
    gate = asyncio.Event()
    handled: list[list[int]] = []

    async def handle(taken: Sequence[Any]) -> None:
        handled.append([e.message.offset for e in taken])
        await gate.wait()

    stream = Stream(app, events)
    batches = Overlapped(handle)
    running = asyncio.ensure_future(
        collect(stream, Collector(3, LIVE_S, CATCHUP_S, BEHIND_S), batches.idle, batches.submit)
    )
    await asyncio.sleep(LIVE_S * 3)
    assert not running.done(), running.exception()
    assert handled == [[0, 1, 2]]  # full at three; the rest waits for the first to be handled
    assert consumer.acked == []  # being handled: nothing committable, not even by `collect`
    gate.set()
    await asyncio.sleep(LIVE_S * 3)
    assert handled == [[0, 1, 2], [3, 4]]
    assert consumer.acked == [0, 1, 2, 3, 4]
    assert stream.enable_acks is False
    assert len(stream._processors) == 1
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert stream.enable_acks is True  # restored on the way out
    assert stream._processors == []


async def test_with_the_patch_off_a_task_drains_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    switch_all_off(monkeypatch)
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    events = batch(app, range(4))
    handled: list[list[int]] = []

    async def handle(taken: Sequence[Any]) -> None:
        handled.append([e.message.offset for e in taken])

    stream = Stream(app, events)
    batches = Overlapped(handle)
    running = asyncio.ensure_future(
        collect(stream, Collector(2, LIVE_S, CATCHUP_S, BEHIND_S), batches.idle, batches.submit)
    )
    await asyncio.sleep(LIVE_S * 3)
    assert handled == [[0, 1], [2, 3]]
    assert consumer.acked == [0, 1, 2, 3]
    assert stream._processors == []  # no processor: the task feeds the collector
    assert stream.drainer is None
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert stream.enable_acks is True
