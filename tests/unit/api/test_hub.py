"""The hub without sockets: conflation, current state first, sequence numbers, overflow."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.live.hub import Hub, HubClosedError, HubOverflowError
from services.common.contracts import events as ev
from tests.unit.api.factories import alert, station_stats


async def test_new_subscriber_gets_current_state_then_changes() -> None:
    hub = Hub()
    hub.stations.publish(station_stats("S1", ballots=10))
    sub = hub.stations.subscribe(keys=["S1", "S2"])
    first = await sub.get()
    assert (first.seq, first.value.ballots_issued) == (1, 10)
    hub.stations.publish(station_stats("S2", ballots=7))
    second = await sub.get()
    assert (second.seq, second.value.station_id, second.value.ballots_issued) == (2, "S2", 7)
    assert second.revision > first.revision


async def test_slow_subscriber_is_conflated_to_latest_per_key() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(group="R1")
    for ballots in range(1, 101):
        hub.stations.publish(station_stats("S1", ballots=ballots))
        hub.stations.publish(station_stats("S2", ballots=ballots * 2))
    assert sub.depth == 2
    got = [await sub.get(), await sub.get()]
    assert [(d.seq, d.value.station_id, d.value.ballots_issued) for d in got] == [
        (1, "S1", 100),
        (2, "S2", 200),
    ]
    assert sub.depth == 0


async def test_subscribers_only_get_their_keys_or_region() -> None:
    hub = Hub()
    by_key = hub.stations.subscribe(keys=["S1"])
    by_region = hub.stations.subscribe(group="R2")
    everything = hub.stations.subscribe()
    hub.stations.publish(station_stats("S1", region_id="R1"))
    hub.stations.publish(station_stats("S9", region_id="R2"))
    assert (by_key.depth, by_region.depth, everything.depth) == (1, 1, 2)
    assert (await by_region.get()).value.station_id == "S9"


async def test_unsubscribed_subscriber_receives_nothing() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(keys=["S1"])
    hub.stations.unsubscribe(sub)
    assert hub.stations.publish(station_stats("S1")) == 0
    assert hub.stations.subscribers() == set()


async def test_region_stats_route_national_to_overview() -> None:
    hub = Hub()
    regions, national = hub.regions.subscribe(), hub.national.subscribe(keys=[ev.NATIONAL])
    base = ev.RegionStats("R1", 10, 5, 1, 1000, 100, 10.0, 1.0, 0.0, 0.0, {}, 0, station_stats().updated_at)
    hub.publish_region(base)
    hub.publish_region(dataclasses.replace(base, region_id=ev.NATIONAL))
    assert (await regions.get()).value.region_id == "R1"
    assert (await national.get()).value.region_id == ev.NATIONAL
    assert regions.depth == 0


async def test_alerts_are_filtered_by_severity_and_region_and_not_conflated() -> None:
    hub = Hub()
    sub = hub.alerts.subscribe(ev.Severity.WARNING, "R1", maxsize=10)
    hub.alerts.publish(alert("A1", ev.Severity.INFO))
    hub.alerts.publish(alert("A2", ev.Severity.CRITICAL, region_id="R2"))
    hub.alerts.publish(alert("A3", ev.Severity.WARNING))
    hub.alerts.publish(alert("A3", ev.Severity.WARNING, state=ev.AlertState.RESOLVED))
    got = [await sub.get(), await sub.get()]
    assert [(d.seq, d.value.id, d.value.state) for d in got] == [
        (1, "A3", ev.AlertState.OPEN),
        (2, "A3", ev.AlertState.RESOLVED),
    ]


async def test_alert_subscriber_first_gets_open_alerts() -> None:
    hub = Hub()
    hub.alerts.publish(alert("A1"))
    hub.alerts.publish(alert("A2"))
    hub.alerts.publish(alert("A1", state=ev.AlertState.RESOLVED))
    sub = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=5)
    assert (await sub.get()).value.id == "A2"
    assert sub.depth == 0


async def test_overflowing_alert_subscriber_is_closed_with_an_error_not_dropped_silently() -> None:
    overflows: list[str] = []

    class Observer:
        def fanned_out(self, channel: str, count: int) -> None:
            pass

        def overflowed(self, channel: str) -> None:
            overflows.append(channel)

    hub = Hub(Observer())
    slow = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=3)
    fast = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=100)
    for i in range(5):
        hub.alerts.publish(alert(f"A{i}"))
    with pytest.raises(HubOverflowError, match="re-query alerts"):
        await slow.get()
    assert overflows == ["alerts"]
    assert [(await fast.get()).value.id for _ in range(5)] == [f"A{i}" for i in range(5)]
    assert slow not in hub.alerts.subscribers()


async def test_waiting_subscriber_wakes_on_publish_and_on_close() -> None:
    hub = Hub()
    sub = hub.stations.subscribe(keys=["S1"])
    waiter = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    hub.stations.publish(station_stats("S1", ballots=3))
    assert (await asyncio.wait_for(waiter, 1)).value.ballots_issued == 3
    closing = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    hub.close()
    with pytest.raises(HubClosedError):
        await asyncio.wait_for(closing, 1)


@given(
    st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.integers(0, 10_000)), min_size=1, max_size=60)
)
def test_conflation_always_ends_at_each_keys_latest_value(updates: list[tuple[str, int]]) -> None:
    async def run() -> dict[str, int]:
        hub = Hub()
        sub = hub.stations.subscribe()
        for station, ballots in updates:
            hub.stations.publish(station_stats(station, ballots=ballots))
        seen: dict[str, int] = {}
        seqs = []
        while sub.depth:
            d = await sub.get()
            seqs.append(d.seq)
            seen[d.value.station_id] = d.value.ballots_issued
        assert seqs == list(range(1, len(seqs) + 1))
        return seen

    latest = dict(updates)
    assert asyncio.run(run()) == latest
