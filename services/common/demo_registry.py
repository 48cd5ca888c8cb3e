"""The demo registry: ~2,000 stations in 10 regions and 3 cities, generated deterministically.

Region names are Kazakhstan's (the 2012 monitoring network's setting); station names, districts,
sizes and coordinates are synthetic. No real person's data.
"""

from __future__ import annotations

import random

from services.common.stations import Region, Registry, Station

# (id, name, kind, stations, latitude, longitude of the centre)
_AREAS: tuple[tuple[str, str, str, int, float, float], ...] = (
    ("AKM", "Akmola Region", "region", 160, 51.9, 69.4),
    ("AKT", "Aktobe Region", "region", 140, 48.8, 58.0),
    ("ALR", "Almaty Region", "region", 190, 44.9, 78.4),
    ("ATY", "Atyrau Region", "region", 110, 47.1, 51.9),
    ("EKZ", "East Kazakhstan Region", "region", 180, 49.0, 82.6),
    ("ZHA", "Jambyl Region", "region", 130, 43.3, 71.4),
    ("KAR", "Karaganda Region", "region", 170, 49.8, 73.1),
    ("KUS", "Kostanay Region", "region", 150, 53.2, 63.6),
    ("KZY", "Kyzylorda Region", "region", 110, 44.8, 65.5),
    ("TUR", "Turkistan Region", "region", 170, 42.3, 68.3),
    ("AST", "Astana", "city", 160, 51.13, 71.43),
    ("ALA", "Almaty", "city", 230, 43.24, 76.89),
    ("SHY", "Shymkent", "city", 100, 42.34, 69.59),
)
DISTRICTS_PER_AREA = 6


def demo_registry(seed: int = 2012) -> Registry:
    """Builds the demo registry; the same seed always gives the same file."""
    rng = random.Random(seed)
    regions = tuple(Region(code, name, kind) for code, name, kind, *_ in _AREAS)
    stations: list[Station] = []
    for code, _name, kind, count, lat, lon in _AREAS:
        spread = 0.15 if kind == "city" else 1.5
        for n in range(1, count + 1):
            district = f"{code}-D{rng.randint(1, DISTRICTS_PER_AREA)}"
            # Cities have larger stations; rural ones are small with a long tail.
            mean = 2200 if kind == "city" else 1100
            voters = max(60, min(3500, round(rng.lognormvariate(0, 0.45) * mean)))
            stations.append(
                Station(
                    id=f"{code}-{n:04d}",
                    region_id=code,
                    name=f"Polling station No. {n} ({district})",
                    registered_voters=voters,
                    district=district,
                    latitude=round(lat + rng.uniform(-spread, spread), 5),
                    longitude=round(lon + rng.uniform(-spread, spread), 5),
                )
            )
    return Registry(regions, tuple(stations))
