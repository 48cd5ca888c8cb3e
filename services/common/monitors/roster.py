"""The monitors' roster file (`pollwatch monitors import`): parsing and checking each row.

Columns (header required, order free, names case-insensitive): name, phone, stations;
optional: language (kk, ru or en: what SMS replies and messages are written in; empty: replies
in the language of each text, messages in the messenger's default), region (empty: the first
station's), coordinator.
`stations` holds one or more station ids separated by `;`, `,`, `|` or spaces. The file may
be comma- or semicolon-separated (spreadsheets in Russian or Kazakh export with `;`).

A bad row is refused with its reason and the rest are taken; only a file that cannot be read
as a roster at all (no header, a required column missing) is refused whole.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from services.common.infra.errors import PollwatchError
from services.common.monitors.phones import e164

REQUIRED = ("name", "phone", "stations")
OPTIONAL = ("language", "region", "coordinator")
LANGUAGES = ("kk", "ru", "en")
MAX_NAME = 200
MAX_STATIONS = 20
MAX_ROWS = 100_000
_SEPARATORS = re.compile(r"[;,|\s]+")


class RosterFileError(PollwatchError):
    """The file is not a roster at all (nothing was read from it)."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One accepted row, normalised: the phone in E.164, stations sorted and unique."""

    line: int
    name: str
    phone: str
    stations: tuple[str, ...]
    lang: str | None  # monitors.lang: None replies in the language of each text
    region_id: str
    coordinator: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row left out: its line, a code (`bad_phone`, `unknown_station`, `duplicate_phone`,
    ...), the column at fault and a sentence for the person who keeps the file."""

    line: int
    code: str
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Roster:
    rows: tuple[RosterRow, ...]
    refusals: tuple[Refusal, ...]

    @property
    def total(self) -> int:
        return len(self.rows) + len({r.line for r in self.refusals})


def parse_roster(text: str, station_regions: Mapping[str, str], regions: frozenset[str]) -> Roster:
    """Reads every row; `station_regions` maps each known station id to its region id."""
    text = text.removeprefix("\ufeff")  # spreadsheets' UTF-8 byte order mark
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterFileError(f"line 1 (header): missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    rows: list[RosterRow] = []
    refusals: list[Refusal] = []
    for raw in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            raise RosterFileError(f"more than {MAX_ROWS} rows: split the file")
        # Fields beyond the header land under the key None: ignored.
        values = {k: (v or "").strip() for k, v in raw.items() if k is not None and not isinstance(v, list)}
        if not any(values.values()):
            continue  # a blank line
        checked = _row(line, values, station_regions, regions)
        if isinstance(checked, RosterRow):
            rows.append(checked)
        else:
            refusals.append(checked)
    duplicates = _duplicate_phones(rows)
    refusals += duplicates
    refused_lines = {r.line for r in duplicates}
    kept = tuple(r for r in rows if r.line not in refused_lines)
    return Roster(kept, tuple(sorted(refusals, key=lambda r: r.line)))


def _row(
    line: int, values: dict[str, str], station_regions: Mapping[str, str], regions: frozenset[str]
) -> RosterRow | Refusal:
    name = " ".join(values.get("name", "").split())
    coordinator = " ".join(values.get("coordinator", "").split())
    for field, text in (("name", name), ("coordinator", coordinator)):
        if field == "name" and not text:
            return Refusal(line, "required", "name", "the monitor's name is empty")
        if len(text) > MAX_NAME:
            return Refusal(line, "too_long", field, f"longer than {MAX_NAME} characters")
        if any(unicodedata.category(c) == "Cc" for c in text):
            return Refusal(line, "control_character", field, "holds a control character")
    raw_phone = values.get("phone", "")
    phone = e164(raw_phone)
    if phone is None:
        return Refusal(
            line,
            "bad_phone",
            "phone",
            f"{raw_phone!r} is not a valid international number in E.164, e.g. +77011234567",
        )
    stations = tuple(sorted({s for s in _SEPARATORS.split(values.get("stations", "")) if s}))
    if not stations:
        return Refusal(line, "required", "stations", "no station given")
    if len(stations) > MAX_STATIONS:
        return Refusal(line, "too_many", "stations", f"more than {MAX_STATIONS} stations")
    unknown = [s for s in stations if s not in station_regions]
    if unknown:
        return Refusal(
            line, "unknown_station", "stations", f"not in the station registry: {', '.join(unknown)}"
        )
    lang = values.get("language", "").strip().lower() or None
    if lang is not None and lang not in LANGUAGES:
        return Refusal(line, "bad_language", "language", f"{lang!r} is not one of kk, ru, en (or empty)")
    region = values.get("region", "") or station_regions[stations[0]]
    if region not in regions:
        return Refusal(line, "unknown_region", "region", f"{region!r} is not a region of the registry")
    return RosterRow(line, name, phone, stations, lang, region, coordinator)


def _duplicate_phones(rows: list[RosterRow]) -> list[Refusal]:
    """Every row whose phone another row has too: which of them is right cannot be told."""
    lines: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        lines[row.phone].append(row.line)
    return [
        Refusal(
            line,
            "duplicate_phone",
            "phone",
            "the same phone is on lines " + ", ".join(str(n) for n in same) + " (one phone, one monitor)",
        )
        for same in lines.values()
        if len(same) > 1
        for line in same
    ]
