"""The region book's cached, incremental roll-ups equal a one-pass roll-up over every station."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.domain.region_book import RegionBook
from services.aggregator.domain.region_rollup import rollup
from services.aggregator.domain.station_state import StationInfo
from services.common.contracts.events import NATIONAL, RegionStats
from tests.unit.aggregator.helpers import CFG, T0
from tests.unit.aggregator.test_region import stats

REGIONS = ("R", "Q", "P")
STATIONS = {f"S{i}": StationInfo(REGIONS[i % 3], 1000 + 10 * i) for i in range(12)}

step = st.tuples(st.sampled_from(sorted(STATIONS)), st.integers(0, 1000), st.integers(0, 400), st.booleans())


def expected(book: RegionBook, region: str, now: object) -> RegionStats:
    ids = book.all_regions() if region == NATIONAL else [region]
    members = [s for sid, s in sorted(book.members.items()) if region == NATIONAL or s.region_id in ids]
    infos = [i for sid, i in book.registry.items() if region == NATIONAL or i.region_id == region]
    extra = sum(book.alerts[s.station_id].count_open() for s in members if s.station_id in book.alerts)
    total = len(set(book.registry) | set(book.members)) if region == NATIONAL else len(infos)
    return rollup(
        region,
        members,
        total,
        sum(i.registered_voters for i in infos),
        book.silent,
        extra,
        now,  # type: ignore[arg-type]
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(step, min_size=1, max_size=40))
def test_cached_rollups_equal_a_full_pass(steps: list[tuple[str, int, int, bool]]) -> None:
    book = RegionBook(CFG)
    book.set_registry(STATIONS)
    minute = 0
    compared = 0
    for n, (sid, ballots, advance, tick) in enumerate(steps):
        minute += advance
        info = STATIONS[sid]
        book.upsert(stats(sid, info.region_id, ballots, minute, info.registered_voters))
        if tick or n == len(steps) - 1:  # the last step always ticks: every example compares
            now = T0 + timedelta(minutes=minute + 1)
            regions = book.evaluate(now).regions
            assert regions == [expected(book, r.region_id, now) for r in regions]
            compared += len(regions)
    assert compared > 0


def test_station_filed_under_two_regions_counts_once_nationally() -> None:
    book = RegionBook(CFG)
    book.set_registry({"A": StationInfo("R", 1000), "B": StationInfo("Q", 500)})
    book.upsert(stats("A", "R", 300, 60, 1000))
    book.upsert(replace(stats("B", "Q", 100, 60, 500), region_id="R"))  # moved in the registry
    by_id = {r.region_id: r for r in book.evaluate(T0 + timedelta(minutes=61)).regions}
    assert (by_id[NATIONAL].stations_total, by_id[NATIONAL].ballots_issued) == (2, 400)
    assert by_id["R"].ballots_issued == 400
