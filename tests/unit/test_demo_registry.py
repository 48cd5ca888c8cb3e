from __future__ import annotations

from collections import Counter
from pathlib import Path

from services.common.demo_registry import demo_registry
from services.common.stations import parse_registry, to_csv

SHIPPED = Path(__file__).resolve().parents[2] / "services" / "common" / "data" / "demo_stations.csv"


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
