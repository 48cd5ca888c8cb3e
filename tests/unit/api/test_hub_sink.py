"""A conflated subscription's sink: delivery from publish while the reader is idle, else the queue."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.live.hub import Delivery, Hub
from services.common.contracts import events as ev
from tests.unit.api.factories import station_stats


class Sink:
    def __init__(self) -> None:
        self.accept = True
        self.got: list[Delivery[ev.StationStats]] = []

    def __call__(self, delivery: Delivery[ev.StationStats]) -> bool:
        if self.accept:
            self.got.append(delivery)
        return self.accept


async def _reader(sub: object, out: list[Delivery[ev.StationStats]]) -> None:
    while True:
        out.append(await sub.get())  # type: ignore[attr-defined]


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_idle_reader_is_bypassed_and_seq_continues_after_the_snapshot() -> None:
    hub = Hub()
    hub.stations.publish(station_stats("S1", ballots=1))
    sub = hub.stations.subscribe(keys=["S1"])
    sink = Sink()
    sub.sink = sink
    read: list[Delivery[ev.StationStats]] = []
    task = asyncio.create_task(_reader(sub, read))
    await asyncio.sleep(0)  # the snapshot goes through the reader, then it parks
    for ballots in (2, 3, 4):
        hub.stations.publish(station_stats("S1", ballots=ballots))
    await asyncio.sleep(0)
    assert [(d.seq, d.value.ballots_issued) for d in read] == [(1, 1)]
    assert [(d.seq, d.value.ballots_issued) for d in sink.got] == [(2, 2), (3, 3), (4, 4)]
    assert sub.depth == 0
    await _stop(task)


async def test_declined_value_is_queued_and_read_with_the_next_seq() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(keys=["S1"])
    sink = Sink()
    sub.sink = sink
    read: list[Delivery[ev.StationStats]] = []
    task = asyncio.create_task(_reader(sub, read))
    await asyncio.sleep(0)
    hub.stations.publish(station_stats("S1", ballots=1))
    sink.accept = False
    hub.stations.publish(station_stats("S1", ballots=2))
    # Queued now: later values conflate in the queue instead of overtaking it through the sink.
    sink.accept = True
    hub.stations.publish(station_stats("S1", ballots=3))
    await asyncio.sleep(0)
    assert [(d.seq, d.value.ballots_issued) for d in sink.got] == [(1, 1)]
    assert [(d.seq, d.value.ballots_issued) for d in read] == [(2, 3)]
    hub.stations.publish(station_stats("S1", ballots=4))
    assert [(d.seq, d.value.ballots_issued) for d in sink.got] == [(1, 1), (3, 4)]
    await _stop(task)


async def test_sink_is_not_offered_values_while_the_reader_is_busy() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(keys=["S1", "S2"])
    sink = Sink()
    sub.sink = sink
    hub.stations.publish(station_stats("S1", ballots=1))  # nobody is waiting in get()
    assert sink.got == []
    assert sub.depth == 1
    assert (await sub.get()).seq == 1


async def test_closed_subscription_is_not_offered_to_the_sink() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(keys=["S1"])
    sink = Sink()
    sub.sink = sink
    task = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    hub.close()
    hub.stations.publish(station_stats("S1", ballots=1))
    assert sink.got == []
    await asyncio.gather(task, return_exceptions=True)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.booleans(), st.booleans()), min_size=1, max_size=40
    )
)
def test_every_delivery_is_numbered_once_and_each_key_ends_at_its_latest(
    steps: list[tuple[str, bool, bool]],
) -> None:
    """Whatever the sink accepts and whenever the reader runs: seq 1..n, latest per key last."""

    async def scenario() -> None:
        hub = Hub()
        sub = hub.stations.subscribe()
        sink = Sink()
        sub.sink = sink
        read: list[Delivery[ev.StationStats]] = []
        task = asyncio.create_task(_reader(sub, read))
        latest: dict[str, int] = {}
        for n, (key, accept, let_reader_run) in enumerate(steps, start=1):
            sink.accept = accept
            hub.stations.publish(station_stats(key, ballots=n))
            latest[key] = n
            if let_reader_run:
                await asyncio.sleep(0)
        await asyncio.sleep(0)
        delivered = sorted(sink.got + read, key=lambda d: d.seq)
        assert [d.seq for d in delivered] == list(range(1, len(delivered) + 1))
        last: dict[str, int] = {}
        for d in delivered:
            assert d.value.ballots_issued > last.get(d.value.station_id, 0)  # never older
            last[d.value.station_id] = d.value.ballots_issued
        assert last == latest
        await _stop(task)

    asyncio.run(scenario())
