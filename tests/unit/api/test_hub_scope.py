"""The hub keeps a region-scoped subscriber to its regions: by key, by default, and for alerts."""

from __future__ import annotations

from services.api.live.hub import Hub
from services.common.contracts import events as ev
from tests.unit.api.factories import alert, station_stats


async def test_keys_outside_the_scope_are_never_delivered_not_even_as_current_state() -> None:
    hub = Hub()
    hub.stations.publish(station_stats("S9", region_id="R2", ballots=5))
    sub = hub.stations.subscribe(keys=["S1", "S9"], within={"R1"})
    assert sub.depth == 0
    assert hub.stations.publish(station_stats("S9", region_id="R2", ballots=6)) == 0
    hub.stations.publish(station_stats("S1", region_id="R1", ballots=7))
    got = await sub.get()
    assert (got.seq, got.value.station_id) == (1, "S1")  # numbered without gaps
    assert sub.depth == 0


async def test_everything_for_a_scoped_subscriber_means_its_regions() -> None:
    hub = Hub()
    hub.stations.publish(station_stats("S1", region_id="R1"))
    hub.stations.publish(station_stats("S5", region_id="R3"))
    hub.stations.publish(station_stats("S9", region_id="R2"))
    sub = hub.stations.subscribe(within={"R1", "R3"})
    assert sorted([(await sub.get()).value.station_id, (await sub.get()).value.station_id]) == ["S1", "S5"]
    hub.stations.publish(station_stats("S9", region_id="R2", ballots=2))
    hub.stations.publish(station_stats("S6", region_id="R3", ballots=2))
    assert (await sub.get()).value.station_id == "S6"
    hub.stations.unsubscribe(sub)
    assert hub.stations.subscribers() == set()
    assert hub.stations.publish(station_stats("S1", region_id="R1")) == 0


async def test_a_scoped_alert_subscriber_gets_only_its_regions_open_alerts_and_changes() -> None:
    hub = Hub()
    hub.alerts.publish(alert("A1", region_id="R1"))
    hub.alerts.publish(alert("A2", region_id="R2"))
    sub = hub.alerts.subscribe(ev.Severity.INFO, None, 10, within={"R2"})
    assert (await sub.get()).value.id == "A2"
    hub.alerts.publish(alert("A3", ev.Severity.CRITICAL, region_id="R1"))
    hub.alerts.publish(alert("A4", ev.Severity.CRITICAL, region_id="R2"))
    got = await sub.get()
    assert (got.seq, got.value.id) == (2, "A4")
    assert sub.depth == 0
