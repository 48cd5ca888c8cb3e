"""The station agent persists each batch behind the next one: in batch order, its states only
once its alerts are delivered, and its events are acked (their offsets become committable) only
once its writes have landed."""

from __future__ import annotations

import asyncio
from collections import deque
from types import SimpleNamespace
from typing import Any

import pytest
from faust.events import Event

from services.aggregator.output import DeliveryError
from services.aggregator.station_agent import StationAgent
from services.common import events as ev
from tests.unit.aggregator.faust_events import Consumer, batch, settle


class CrashRecorder:
    """Stands in for the faust app's `crash` (which stops the worker process)."""

    def __init__(self) -> None:
        self.reasons: list[BaseException] = []

    async def crash(self, reason: BaseException) -> None:
        self.reasons.append(reason)


def agent(persist: Any) -> StationAgent:
    a = StationAgent.__new__(StationAgent)
    a.app = CrashRecorder()  # type: ignore[assignment]
    a.persisting = deque()
    a.persist = persist  # type: ignore[method-assign]
    return a


def released_by_take_events(events: list[Event]) -> None:
    for event in events:
        assert event.ack() is False  # still held by the pending writes


async def test_batches_are_persisted_in_order_and_acked_only_after_their_writes() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    gates = {1: asyncio.Event(), 2: asyncio.Event()}
    log: list[str] = []

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        n = int(own["batch"])
        log.append(f"start {n}")
        await gates[n].wait()
        log.append(f"end {n}")

    stations = agent(persist)
    first, second = batch(app, range(0, 3)), batch(app, range(3, 5))
    stations.defer(first, None, [], {"batch": b"1"})
    released_by_take_events(first)
    await stations._bound_persisting()  # one batch in flight: the next may be handled
    stations.defer(second, None, [], {"batch": b"2"})
    released_by_take_events(second)
    await settle()
    assert log == ["start 1"]
    assert consumer.acked == []

    gates[2].set()  # the second batch's write would be quick: it still waits for the first
    await settle()
    assert log == ["start 1"]
    assert consumer.acked == []

    gates[1].set()
    while stations.persisting:
        await stations.persisting.popleft()
    assert log == ["start 1", "end 1", "start 2", "end 2"]
    assert consumer.acked == [0, 1, 2, 3, 4]


async def test_the_raw_reports_write_is_awaited_before_the_batch_is_acked() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    raw_write: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        pass

    stations = agent(persist)
    events = batch(app, range(7, 9))
    stations.defer(events, raw_write, [], {})
    released_by_take_events(events)
    await settle()
    assert consumer.acked == []
    raw_write.set_result(None)
    await stations.persisting.popleft()
    assert consumer.acked == [7, 8]


async def test_a_failed_write_stops_the_worker_and_leaves_its_batch_unacked() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        raise RuntimeError("figures rejected")

    stations = agent(persist)
    events = batch(app, range(0, 2))
    stations.defer(events, None, [], {})
    released_by_take_events(events)
    await settle()
    # No next batch needed: the worker is stopped as soon as the write fails.
    assert [str(r) for r in stations.app.reasons] == ["figures rejected"]  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="figures rejected"):
        await stations._bound_persisting()
    assert consumer.acked == []
    assert not stations.persisting


async def test_writes_that_land_or_are_cancelled_do_not_stop_the_worker() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    gate = asyncio.Event()

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        if own.get("wait"):
            await gate.wait()

    stations = agent(persist)
    stations.defer(batch(app, range(0, 1)), None, [], {})
    stations.defer(batch(app, range(1, 2)), None, [], {"wait": b"1"})
    await settle()
    stations.persisting[-1].cancel()
    await settle()
    assert stations.app.reasons == []  # type: ignore[attr-defined]


async def test_at_most_persist_ahead_batches_are_pending_when_a_batch_starts() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    gate = asyncio.Event()

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        await gate.wait()

    stations = agent(persist)
    stations.defer(batch(app, range(0, 1)), None, [], {})
    stations.defer(batch(app, range(1, 2)), None, [], {})
    waiting = asyncio.ensure_future(stations._bound_persisting())
    await settle()
    assert not waiting.done()  # two batches' writes pending: the third must wait
    gate.set()
    await waiting
    assert len(stations.persisting) < 2
    while stations.persisting:
        await stations.persisting.popleft()


async def test_stopping_waits_for_pending_writes_and_gives_up_on_stuck_ones(monkeypatch: Any) -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    stuck = asyncio.Event()

    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        if own.get("stuck"):
            await stuck.wait()  # PostgreSQL down: retrying until cancelled

    monkeypatch.setattr("services.aggregator.station_agent.STOP_WAIT_S", 0.2)
    stations = agent(persist)
    landed, blocked = batch(app, range(0, 2)), batch(app, range(2, 3))
    stations.defer(landed, None, [], {})
    stations.defer(blocked, None, [], {"stuck": b"1"})
    released_by_take_events(landed + blocked)
    await stations._drain_persisting()
    assert consumer.acked == [0, 1]  # the stuck batch stays unacked: replayed after a restart
    assert not stations.persisting


class Sent:
    """Stands in for a batch's Outbox of alerts and figures: delivered when `gate` opens, or not."""

    def __init__(self, fails: bool = False) -> None:
        self.gate = asyncio.Event()
        self.fails = fails

    async def delivered(self) -> None:
        await self.gate.wait()
        if self.fails:
            raise DeliveryError("Kafka did not take a batch: MessageSizeTooLargeError")


def saving_agent(log: list[str]) -> StationAgent:
    async def persist(figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        log.append(f"persist {own['batch'].decode()}")

    async def save(sent: Any, states: Any) -> None:
        if sent is not None:
            await sent.delivered()
        log.append(f"save {[sid for _, sid, _ in states]}")

    stations = agent(persist)
    stations.save = save  # type: ignore[method-assign]
    return stations


async def test_a_batch_s_states_are_saved_only_once_its_alerts_are_delivered() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    log: list[str] = []
    stations = saving_agent(log)
    sent = Sent()
    events = batch(app, range(0, 2))
    stations.defer(events, None, [], {"batch": b"1"}, sent=sent, states=[(events[0], "S1", b"state")])  # type: ignore[arg-type]
    released_by_take_events(events)
    await settle()
    # The PostgreSQL writes go on; the alerts are on their way: nothing says they were sent.
    assert log == ["persist 1"]
    assert consumer.acked == []
    sent.gate.set()
    await stations.persisting.popleft()
    assert log == ["persist 1", "save ['S1']"]
    assert consumer.acked == [0, 1]


async def test_alerts_kafka_refuses_leave_the_batch_unsaved_unacked_and_stop_the_worker() -> None:
    consumer = Consumer()
    app = SimpleNamespace(consumer=consumer)
    log: list[str] = []
    stations = saving_agent(log)
    refused, later = Sent(fails=True), Sent()
    first, second = batch(app, range(0, 2)), batch(app, range(2, 3))
    stations.defer(first, None, [], {"batch": b"1"}, sent=refused, states=[(first[0], "S1", b"a")])  # type: ignore[arg-type]
    stations.defer(second, None, [], {"batch": b"2"}, sent=later, states=[(second[0], "S2", b"b")])  # type: ignore[arg-type]
    released_by_take_events(first + second)
    later.gate.set()
    refused.gate.set()
    await settle()
    # A restart replays both batches onto the states from before them: the alerts come again
    # (the first batch's figures already in PostgreSQL are written again, the same).
    assert log == ["persist 1"]
    assert consumer.acked == []
    assert [type(r).__name__ for r in stations.app.reasons] == ["DeliveryError"]  # type: ignore[attr-defined]
