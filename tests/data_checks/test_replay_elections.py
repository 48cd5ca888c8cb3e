"""Every real dataset replays as its election: each region has a time zone, cities are cities."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from services.forensics.datasets import load
from services.simulator.elections import election_for
from services.simulator.replay_model import replay_registry, replay_zones
from tests.support.shared_data import need

pytestmark = pytest.mark.data

DATASETS = {
    "russia_dkobak/2011.csv.zip": "ru-2011-duma",
    "russia_dkobak/2012.csv.zip": "ru-2012-president",
    "russia_dkobak/2024.csv.zip": "ru-2024-president",
    "bulgaria_opendata": "bg-2021-parliament",
    "romania_gov2ro/merged_PVs-P.csv": "ro-2024-local",
}
# UTC offsets at noon on the (first) election day, over all regions of the file.
OFFSETS = {
    "ru-2011-duma": (3, 12),  # Kaliningrad .. Kamchatka, Chukotka, Magadan
    "ru-2012-president": (3, 12),
    "ru-2024-president": (2, 12),  # Moscow back on UTC+3 since 2014
    "bg-2021-parliament": (3, 3),
    "ro-2024-local": (3, 3),
}
CITIES = {
    "ru-2011-duma": {"Город Москва", "Город Санкт-Петербург"},
    "ru-2012-president": {
        "Город Москва",
        "Город Санкт-Петербург",
        "98 Город Байконур (Республика Казахстан)",
    },
    "ru-2024-president": {
        "город Москва",
        "город Санкт-Петербург",
        "город Севастополь",
        "Город Байконур (Республика Казахстан)",
    },
    "bg-2021-parliament": set(),
    "ro-2024-local": set(),
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_region_has_its_zone_and_cities_are_cities(dataset: str) -> None:
    path = need(dataset)
    election = election_for(path)
    assert election.key == DATASETS[dataset]
    protocols = load(path).protocols
    zones = replay_zones(protocols, election)  # raises for a region without a zone
    assert len(zones) == len(protocols.region_names)
    noon = [datetime.combine(election.days[0], time(12), z).utcoffset() for z in zones.values()]
    hours = [o.total_seconds() / 3600 for o in noon if o is not None]
    assert (min(hours), max(hours)) == OFFSETS[election.key]
    registry = replay_registry(protocols, election)
    assert {r.name for r in registry.regions if r.kind == "city"} == CITIES[election.key]
