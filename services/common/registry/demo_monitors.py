"""The demo roster: one monitor per station of the demo registry (2,000), generated deterministically.

Names are random pairs of common Kazakh and Russian given names and surnames: no real person's
data. Phones are valid numbers from the UK ranges Ofcom reserves for drama (020 7946 0xxx, ...):
they belong to nobody, so a demo roster sent through a real gateway by mistake texts no one.
Some monitors cover a second station of their region, as mobile monitors do; each region has
one coordinator.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from services.common.registry.demo_registry import demo_registry
from services.common.registry.stations import Registry

_GIVEN = (
    "Aigerim", "Aliya", "Asel", "Dana", "Dinara", "Gulnara", "Kamila", "Madina", "Saule", "Zhanar",
    "Arman", "Askar", "Daniyar", "Erlan", "Marat", "Nurlan", "Ruslan", "Serik", "Timur", "Yerzhan",
    "Anna", "Elena", "Irina", "Olga", "Tatiana", "Alexei", "Dmitry", "Igor", "Sergei", "Viktor",
)  # fmt: skip
_FAMILY = (
    "Abenov", "Akhmetov", "Baimukhanov", "Bekov", "Dzhaksybekov", "Ibraimov", "Kassymov", "Nurpeisov",
    "Omarov", "Sarsenbayev", "Tokayev", "Zhunusov", "Ivanov", "Kuznetsov", "Morozov", "Petrov",
    "Popov", "Smirnov", "Sokolov", "Volkov",
)  # fmt: skip
# Ofcom's drama ranges that phonenumbers validates, each followed by 0000-0999.
_DRAMA = (
    "+44207946", "+44113496", "+44114496", "+44161496", "+44131496", "+44121496",
    "+44151496", "+44141496", "+44117496", "+44118496", "+44116496", "+44191498",
)  # fmt: skip
_LANGUAGES = (("kk", 45), ("ru", 50), ("en", 5))
SECOND_STATION_SHARE = 0.05
COLUMNS = ("name", "phone", "stations", "language", "region", "coordinator")


@dataclass(frozen=True, slots=True)
class DemoMonitor:
    name: str
    phone: str
    stations: tuple[str, ...]
    language: str
    region: str
    coordinator: str


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN)
    family = rng.choice(_FAMILY)
    # Russian and Kazakh surnames take -a for women (the first ten given names).
    return f"{given} {family}{'a' if _GIVEN.index(given) < 10 else ''}"


def demo_monitors(registry: Registry | None = None, seed: int = 2012) -> list[DemoMonitor]:
    """One monitor per station of `registry` (the demo registry by default); same seed, same file."""
    registry = registry or demo_registry()
    rng = random.Random(seed)
    coordinators = {r.id: _name(rng) for r in registry.regions}
    by_region: dict[str, list[str]] = {}
    for s in registry.stations:
        by_region.setdefault(s.region_id, []).append(s.id)
    phones: set[str] = set()
    languages = [code for code, _ in _LANGUAGES]
    weights = [weight for _, weight in _LANGUAGES]
    monitors = []
    for station in registry.stations:
        phone = ""
        while not phone or phone in phones:
            phone = f"{rng.choice(_DRAMA)}0{rng.randrange(1000):03d}"
        phones.add(phone)
        stations = {station.id}
        if rng.random() < SECOND_STATION_SHARE:
            stations.add(rng.choice(by_region[station.region_id]))
        monitors.append(
            DemoMonitor(
                _name(rng),
                phone,
                tuple(sorted(stations)),
                rng.choices(languages, weights)[0],
                station.region_id,
                coordinators[station.region_id],
            )
        )
    return monitors


def to_csv(monitors: list[DemoMonitor]) -> str:
    """The roster file `pollwatch monitors import` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in monitors:
        writer.writerow((m.name, m.phone, ";".join(m.stations), m.language, m.region, m.coordinator))
    return out.getvalue()
