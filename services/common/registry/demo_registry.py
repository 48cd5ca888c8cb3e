"""The demo registry: ~2,000 stations in 10 regions and 3 cities, generated deterministically.

Region names are Kazakhstan's (the 2012 monitoring network's setting), each with the time zone it
had then; station names, districts, sizes and coordinates are synthetic. No real person's data.
"""

from __future__ import annotations

import random

from services.common.registry.stations import Region, Registry, Station

# Kazakhstan's zones in January 2012: the west (Aktobe, Atyrau, and Mangystau and West Kazakhstan,
# not in the demo) at UTC+5, the rest at UTC+6; Kyzylorda too, from 2004 until December 2018.
# IANA names, not offsets: tzdata gives each date its offset (since March 2024 the whole country
# is at UTC+5, so a demo day run today has one offset, a replay of 2012 two).
_ALMATY = "Asia/Almaty"

# (id, name, kind, time zone, stations, latitude, longitude of the centre)
_AREAS: tuple[tuple[str, str, str, str, int, float, float], ...] = (
    ("AKM", "Akmola Region", "region", _ALMATY, 160, 51.9, 69.4),
    ("AKT", "Aktobe Region", "region", "Asia/Aqtobe", 140, 48.8, 58.0),
    ("ALR", "Almaty Region", "region", _ALMATY, 190, 44.9, 78.4),
    ("ATY", "Atyrau Region", "region", "Asia/Atyrau", 110, 47.1, 51.9),
    ("EKZ", "East Kazakhstan Region", "region", _ALMATY, 180, 49.0, 82.6),
    ("ZHA", "Jambyl Region", "region", _ALMATY, 130, 43.3, 71.4),
    ("KAR", "Karaganda Region", "region", _ALMATY, 170, 49.8, 73.1),
    ("KUS", "Kostanay Region", "region", "Asia/Qostanay", 150, 53.2, 63.6),
    ("KZY", "Kyzylorda Region", "region", "Asia/Qyzylorda", 110, 44.8, 65.5),
    ("TUR", "Turkistan Region", "region", _ALMATY, 170, 42.3, 68.3),
    ("AST", "Astana", "city", _ALMATY, 160, 51.13, 71.43),
    ("ALA", "Almaty", "city", _ALMATY, 230, 43.24, 76.89),
    ("SHY", "Shymkent", "city", _ALMATY, 100, 42.34, 69.59),
)
DISTRICTS_PER_AREA = 6


def demo_registry(seed: int = 2012) -> Registry:
    """Builds the demo registry; the same seed always gives the same file."""
    rng = random.Random(seed)
    regions = tuple(Region(code, name, kind, zone) for code, name, kind, zone, *_ in _AREAS)
    stations: list[Station] = []
    for code, _name, kind, _zone, count, lat, lon in _AREAS:
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


def demo_zones() -> dict[str, str]:
    """Each demo region's time zone, by its name."""
    return {name: zone for _code, name, _kind, zone, *_ in _AREAS}
