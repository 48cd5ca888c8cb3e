"""The station registry file: parsing and validating a CSV of polling stations.

Columns (header required, order free): station_id, region_id, region_name, name,
registered_voters; optional: region_kind (region|city), region_timezone (an IANA zone such as
Asia/Almaty: polls open and close in it; empty: the aggregator's polls zone), district,
latitude, longitude.
Every problem names its line and field; a file with any problem loads nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.common.infra.errors import PollwatchError

REQUIRED = ("station_id", "region_id", "region_name", "name", "registered_voters")
OPTIONAL = ("region_kind", "region_timezone", "district", "latitude", "longitude")
COLUMNS = (*REQUIRED[:3], "region_kind", "district", *REQUIRED[3:], "latitude", "longitude")
ZONE_COLUMN = "region_timezone"  # written only when a region has one
MAX_REGISTERED = 100_000  # far above any real polling station; catches unit mistakes
MAX_REPORTED_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str
    kind: str = "region"
    timezone: str | None = None  # IANA name; None: the aggregator's polls zone


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    region_id: str
    name: str
    registered_voters: int
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Registry:
    regions: tuple[Region, ...]
    stations: tuple[Station, ...]


class StationFileError(PollwatchError):
    """The registry file has problems; `problems` lists each with its line and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        super().__init__("station file rejected, nothing loaded:\n  " + "\n  ".join(shown) + tail)


def _float(raw: str, field: str, line: int, lo: float, hi: float, problems: list[str]) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"line {line}, field {field}: {raw!r} is not a number")
        return None
    if not lo <= value <= hi:
        problems.append(f"line {line}, field {field}: {value} is outside [{lo}, {hi}]")
    return value


def _zone(raw: str, line: int, problems: list[str]) -> str | None:
    if not raw:
        return None
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"line {line}, field {ZONE_COLUMN}: {raw!r} is not a time zone (e.g. Asia/Almaty)")
        return None
    return raw


def parse_registry(text: str) -> Registry:
    """Parses the whole file or raises StationFileError with every problem found."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise StationFileError([f"line 1 (header): missing column(s) {', '.join(missing)}"])
    problems: list[str] = []
    regions: dict[str, Region] = {}
    stations: dict[str, Station] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more fields than the header has")
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        for column in REQUIRED:
            if not values.get(column):
                problems.append(f"line {line}, field {column}: empty")
        station_id, region_id = values["station_id"], values["region_id"]
        if station_id in stations:
            problems.append(f"line {line}, field station_id: {station_id!r} appears twice")
        voters_raw = values["registered_voters"]
        voters = -1
        if voters_raw:
            try:
                voters = int(voters_raw)
            except ValueError:
                problems.append(f"line {line}, field registered_voters: {voters_raw!r} is not a whole number")
            else:
                if not 0 <= voters <= MAX_REGISTERED:
                    problems.append(
                        f"line {line}, field registered_voters: {voters} is outside [0, {MAX_REGISTERED}]"
                    )
        kind = values.get("region_kind") or "region"
        if kind not in ("region", "city"):
            problems.append(f"line {line}, field region_kind: {kind!r} is neither 'region' nor 'city'")
        zone = _zone(values.get(ZONE_COLUMN, ""), line, problems)
        region = Region(region_id, values["region_name"], kind, zone)
        known = regions.setdefault(region_id, region)
        if known != region and region_id:
            was = f"{known.name!r} ({known.kind}{', ' + known.timezone if known.timezone else ''})"
            problems.append(f"line {line}, field region_name: region {region_id!r} was {was} before")
        lat = _float(values.get("latitude", ""), "latitude", line, -90, 90, problems)
        lon = _float(values.get("longitude", ""), "longitude", line, -180, 180, problems)
        stations[station_id] = Station(
            station_id, region_id, values["name"], voters, values.get("district", ""), lat, lon
        )
    if not stations and not problems:
        problems.append("line 2: the file has a header but no stations")
    if problems:
        raise StationFileError(problems)
    return Registry(tuple(regions.values()), tuple(stations.values()))


def to_csv(registry: Registry) -> str:
    """Writes a registry in the format parse_registry reads."""
    regions = {r.id: r for r in registry.regions}
    zones = any(r.timezone for r in registry.regions)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*COLUMNS, ZONE_COLUMN) if zones else COLUMNS)
    writer.writerows(_rows(registry.stations, regions, zones))
    return out.getvalue()


def _rows(stations: Iterable[Station], regions: dict[str, Region], zones: bool) -> Iterable[list[str]]:
    for s in stations:
        r = regions[s.region_id]
        yield [
            s.id,
            r.id,
            r.name,
            r.kind,
            s.district,
            s.name,
            str(s.registered_voters),
            "" if s.latitude is None else f"{s.latitude:.5f}",
            "" if s.longitude is None else f"{s.longitude:.5f}",
        ] + ([r.timezone or ""] if zones else [])
