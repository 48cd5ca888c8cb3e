"""Live findings from the hub's station stats: counted as the `findings` query counts, recounted
only for the regions that changed, the national (or a scope's) figures after them."""

from __future__ import annotations

import dataclasses

from services.api.findings import FindingsFigures, station_counts
from services.api.findings_live import FindingsChannel, FindingsSubscription, LiveFindings
from services.api.live.hub import Hub
from services.common.checklist_config import load_checklists
from services.common.contracts import events as ev
from tests.unit.api.factories import region_stats, station_stats

QUESTIONS = load_checklists()
SEALED = "opening.ballot_boxes_sealed"


def stats(station: str, region: str, **changes: object) -> ev.StationStats:
    return dataclasses.replace(station_stats(station, region), **changes)  # type: ignore[arg-type]


def stuffing(f: FindingsFigures) -> tuple[int, int, float]:
    v = next(v for v in f.violations if v.violation is ev.ViolationType.BALLOT_STUFFING)
    return v.stations, v.corroborated, v.share


def sealed_no(f: FindingsFigures) -> tuple[int, int]:
    q = next(q for q in f.checklist if f"{q.phase}.{q.question}" == SEALED)
    return q.answered, q.answered_no


def test_station_counts_are_stations_not_reports() -> None:
    counts = station_counts(
        [
            stats(
                "S1", "R1", incidents_total={"BALLOT_STUFFING": 5}, violation_monitors={"BALLOT_STUFFING": 1}
            ),
            stats(
                "S2",
                "R1",
                incidents_total={"BALLOT_STUFFING": 2},
                violation_monitors={"BALLOT_STUFFING": 2},
                checklist={SEALED: False},
            ),
            stats("S3", "R1", checklist={SEALED: True}),
            stats("S4", "R1", reports_processed=0),
        ],
        stations_total=10,
    )
    assert (counts.stations, counts.observed) == (10, 3)
    assert counts.violations == {"BALLOT_STUFFING": (2, 1)}
    assert counts.checklist == {SEALED: (2, 1)}


def test_changed_regions_then_the_nation() -> None:
    hub = Hub()
    hub.publish_region(region_stats("R1", stations=4))
    hub.publish_region(region_stats("R2", stations=6))
    hub.publish_region(region_stats(ev.NATIONAL, stations=10))
    hub.stations.publish(stats("S1", "R1", incidents_total={"BALLOT_STUFFING": 1}))
    hub.stations.publish(stats("S2", "R2"))
    live = LiveFindings(hub, QUESTIONS, scope=None)
    assert live.known_regions() == {"R1", "R2"}
    first = live.changed(live.known_regions())
    assert [(f.region_id, f.stations_total, f.stations_observed) for f in first] == [
        ("R1", 4, 1),
        ("R2", 6, 1),
        ("", 10, 2),
    ]
    assert stuffing(first[0]) == (1, 0, 1.0)
    assert stuffing(first[2]) == (1, 0, 0.5)

    # Only R2 changed: R2 is recounted, the nation combines it with R1's counts as they were.
    hub.stations.publish(stats("S3", "R2", incidents_total={"BALLOT_STUFFING": 3}, checklist={SEALED: False}))
    again = live.changed({"R2"})
    assert [f.region_id for f in again] == ["R2", ""]
    assert (stuffing(again[0]), sealed_no(again[0])) == ((1, 0, 0.5), (1, 1))
    assert (again[1].stations_observed, stuffing(again[1])) == (3, (2, 0, 0.6667))


def test_a_scope_sees_its_regions_together_and_one_region_no_nation() -> None:
    hub = Hub()
    hub.publish_region(region_stats("R1", stations=4))
    hub.publish_region(region_stats("R2", stations=6))
    hub.publish_region(region_stats(ev.NATIONAL, stations=10))
    hub.stations.publish(stats("S1", "R1"))
    hub.stations.publish(stats("S2", "R2"))
    scoped = LiveFindings(hub, QUESTIONS, scope={"R2"})
    assert scoped.known_regions() == {"R2"}
    got = scoped.changed({"R1", "R2"})
    # The scope's regions together, never the registry's national total.
    assert [(f.region_id, f.stations_total, f.stations_observed) for f in got] == [("R2", 6, 1), ("", 6, 1)]
    one = LiveFindings(hub, QUESTIONS, scope=None, region="R1")
    assert [f.region_id for f in one.changed({"R1", "R2"})] == ["R1"]
    assert one.changed({"R2"}) == []


async def test_the_subscription_recounts_each_changed_region_once_per_batch() -> None:
    hub = Hub()
    hub.publish_region(region_stats("R1", stations=4))
    hub.publish_region(region_stats(ev.NATIONAL, stations=4))
    hub.stations.publish(stats("S1", "R1"))
    live = LiveFindings(hub, QUESTIONS, scope=None)
    sub = FindingsSubscription(hub.stations.subscribe(), live, pace=0.0)
    first = [await sub.get() for _ in range(2)]
    assert [(d.seq, d.value.region_id, d.value.stations_observed) for d in first] == [
        (1, "R1", 1),
        (2, "", 1),
    ]
    # Three changes of one region: one recount of it, then the nation.
    for n in (2, 3, 4):
        hub.stations.publish(stats(f"S{n}", "R1"))
    again = [await sub.get() for _ in range(2)]
    assert [(d.seq, d.value.region_id, d.value.stations_observed) for d in again] == [
        (3, "R1", 4),
        (4, "", 4),
    ]
    assert again[0].revision == 4
    assert sub.stations.depth == 0
    FindingsChannel(hub.stations).unsubscribe(sub)
    assert hub.stations.subscribers() == set()
