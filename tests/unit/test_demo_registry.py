from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from services.common.registry.demo_registry import demo_registry
from services.common.registry.stations import parse_registry, to_csv

SHIPPED = (
    Path(__file__).resolve().parents[2] / "services" / "common" / "registry" / "data" / "demo_stations.csv"
)


def test_shipped_file_is_the_generators_output() -> None:
    assert SHIPPED.read_text() == to_csv(demo_registry()), "regenerate: pollwatch stations demo --out ..."


def test_about_two_thousand_stations_in_ten_regions_and_three_cities() -> None:
    registry = parse_registry(SHIPPED.read_text())
    assert len(registry.stations) == 2000
    assert Counter(r.kind for r in registry.regions) == {"region": 10, "city": 3}
    assert all(60 <= s.registered_voters <= 3500 for s in registry.stations)


def test_same_seed_same_registry_other_seed_other_sizes() -> None:
    assert demo_registry(7) == demo_registry(7)
    assert demo_registry(7) != demo_registry(8)


def test_regions_carry_the_zones_kazakhstan_had_in_january_2012() -> None:
    """The west an hour behind the rest (UTC+5 against UTC+6) on the 2012 election day; all at
    UTC+5 since March 2024, which tzdata knows from the same names."""
    registry = parse_registry(SHIPPED.read_text())
    offsets = {
        r.id: datetime(2012, 1, 15, 12, tzinfo=ZoneInfo(r.timezone or "")).utcoffset()
        for r in registry.regions
    }
    west = {rid for rid, offset in offsets.items() if offset == timedelta(hours=5)}
    assert west == {"AKT", "ATY"}
    assert set(offsets.values()) == {timedelta(hours=5), timedelta(hours=6)}
    later = {datetime(2026, 6, 1, tzinfo=ZoneInfo(r.timezone or "")).utcoffset() for r in registry.regions}
    assert later == {timedelta(hours=5)}
