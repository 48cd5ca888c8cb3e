"""Loaders: data files on disk -> Protocols (the I/O edge of the package).

Formats understood by ``load``:

* ``russia_dkobak/*.csv.zip`` - Shpilkin/Shukshin CEC scrapes (github dkobak/elections).
* ``bulgaria_opendata/`` (or any ``*_41_protocols.csv`` inside it).
* ``romania_gov2ro/merged_PVs-P.csv`` - no candidate votes in this file.
* The pollwatch protocols export: a UTF-8 CSV with the header
  ``station_id,region,registered,issued,home_issued,valid,invalid`` followed by one
  ``votes:<candidate>`` column per candidate (``home_issued`` may be left empty).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from services.forensics.errors import DatasetError
from services.forensics.protocols import IntArray, Protocols

EXPORT_COLUMNS = ("station_id", "region", "registered", "issued", "home_issued", "valid", "invalid")
VOTES_PREFIX = "votes:"
RUSSIAN_ELECTIONS = {
    "2011": "Russia, State Duma election, 4 Dec 2011",
    "2012": "Russia, presidential election, 4 Mar 2012",
    "2024": "Russia, presidential election, 15-17 Mar 2024",
}
"""What each file of dkobak/elections holds, as the report and figures title it."""


@dataclass(frozen=True)
class Dataset:
    """Protocols plus what the loader had to leave out or could not provide."""

    protocols: Protocols
    notes: tuple[str, ...]


def load(path: Path) -> Dataset:
    """Read any supported file (or the Bulgarian folder) into protocols."""
    if path.is_dir():
        matches = sorted(path.glob("*_41_protocols.csv"))
        if not matches:
            raise DatasetError(f"{path}: folder without a *_41_protocols.csv file")
        return load_bulgaria(matches[0])
    if path.name.endswith(".csv.zip"):
        return load_russia(path)
    if path.name.endswith("_41_protocols.csv"):
        return load_bulgaria(path)
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    if "precinct_county_nce" in header:
        return load_romania(path)
    if tuple(header[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS:
        return load_export(path)
    raise DatasetError(f"{path}: unknown format (header starts {header[:4]})")


def _ints(values: Iterable[str], column: str) -> IntArray:
    out: list[int] = []
    for value in values:
        try:
            out.append(int(value) if value.strip() else 0)
        except ValueError:
            try:
                out.append(int(float(value)))
            except ValueError as error:
                raise DatasetError(f"column {column!r}: {value!r} is not a count") from error
    return np.asarray(out, dtype=np.int64)


def _codes(labels: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names = tuple(dict.fromkeys(labels))
    index = {name: code for code, name in enumerate(names)}
    return np.asarray([index[label] for label in labels], dtype=np.int32), names


def _find(header: Sequence[str], *needles: str, exclude: str = "\0") -> list[int]:
    return [i for i, name in enumerate(header) if any(n in name for n in needles) and exclude not in name]


def load_russia(path: Path) -> Dataset:
    """One CEC scrape; issued = early + at station + outside, as in KSP 2016."""
    stem = path.name.split(".")[0]
    with zipfile.ZipFile(path) as archive:
        inner = archive.namelist()[0]
        text = io.TextIOWrapper(archive.open(inner), encoding="utf-8", newline="")
        rows = list(csv.reader(text))
    header, body = rows[0], rows[1:]
    registered = _find(header, "Число избирателей, включенных", "Число избирателей, внесенных")
    issued = _find(header, "бюллетеней, выданных")
    home = _find(header, "вне помещения")
    invalid = _find(header, "недействительных")
    valid = _find(header, "действительных", exclude="недействительных")
    leader = _find(header, "ЕДИНАЯ РОССИЯ", "Путин")
    if len(registered) != 1 or len(issued) != 3 or len(home) != 1 or len(leader) != 1:
        raise DatasetError(f"{path}: unexpected protocol columns")
    first_candidate = _find(header, "не учтенных при получении")[0] + 1
    last = header.index("url") if "url" in header else len(header)
    candidates = list(range(first_candidate, last))
    empty = [row[leader[0]].strip() == "" for row in body]
    body = [row for row, blank in zip(body, empty, strict=True) if not blank]
    notes = [f"{sum(empty)} rows without protocol data left out"] if any(empty) else []

    def column(index: int) -> IntArray:
        return _ints((row[index] for row in body), header[index])

    region, region_names = _codes([row[0] for row in body])
    votes = np.column_stack([column(i) for i in candidates])
    protocols = Protocols(
        name=f"{RUSSIAN_ELECTIONS.get(stem, f'Russia {stem}')} (CEC data via dkobak/elections)",
        station_ids=tuple(f"{row[0]}|{row[1]}|{row[2]}" for row in body),
        region=region,
        region_names=region_names,
        registered=column(registered[0]),
        issued=column(issued[0]) + column(issued[1]) + column(issued[2]),
        home_issued=column(home[0]),
        valid=column(valid[0]),
        invalid=column(invalid[0]),
        leader=column(leader[0]),
        leader_name=header[leader[0]],
        candidate_votes=votes,
        candidate_names=tuple(header[i] for i in candidates),
    )
    return Dataset(protocols, tuple(notes))


def _day(yyyymmdd: str) -> str:
    """'20210711' -> '11 Jul 2021' (the folder's prefix as is when it is not a date)."""
    try:
        return datetime.strptime(yyyymmdd, "%Y%m%d").strftime("%-d %b %Y")
    except ValueError:
        return yyyymmdd


def _read_semicolon(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def load_bulgaria(protocols_file: Path) -> Dataset:
    """Bulgarian sections: paper + machine votes summed; region = electoral district."""
    prefix = protocols_file.name.removesuffix("_41_protocols.csv")
    folder = protocols_file.parent
    rows = _read_semicolon(protocols_file)
    sections = {r["section_id"]: r for r in _read_semicolon(folder / f"{prefix}_31_sections.csv")}
    parties = {
        r["registration_code"]: r["name"] for r in _read_semicolon(folder / f"{prefix}_20_parties.csv")
    }
    ids = [r["section_id"] for r in rows]
    position = {sid: i for i, sid in enumerate(ids)}
    codes = sorted((c for c in parties if int(c) < 99), key=int)
    column_of = {code: j for j, code in enumerate(codes)}
    votes = np.zeros((len(ids), len(codes)), dtype=np.int64)
    for kind in ("paper", "machine"):
        for r in _read_semicolon(folder / f"{prefix}_50_votes_{kind}.csv"):
            j = column_of.get(r["party"])
            i = position.get(r["section_id"])
            if j is not None and i is not None:
                votes[i, j] += int(r["votes"] or 0)

    def field(name: str) -> IntArray:
        return _ints((r[name] for r in rows), name)

    ballots = field("urn_paper_ballots") + field("urn_machine_ballots")
    invalid = field("invalid_paper_ballots")
    region_labels = [sections[sid]["rik_name"] if sid in sections else sid[:2] for sid in ids]
    region, region_names = _codes(region_labels)
    leader_column = int(np.argmax(votes.sum(axis=0)))
    protocols = Protocols(
        name=f"Bulgaria, National Assembly election, {_day(prefix)} (bulgarian-elections-opendata)",
        station_ids=tuple(ids),
        region=region,
        region_names=region_names,
        registered=field("registered_voters") + field("onsite_listed_voters"),
        issued=field("voted_voters"),
        valid=ballots - invalid,
        invalid=invalid,
        leader=votes[:, leader_column],
        leader_name=parties[codes[leader_column]],
        candidate_votes=votes,
        candidate_names=tuple(parties[c] for c in codes),
    )
    notes = (
        "registered = list + voters added on election day; no home-voting counts per section",
        "leader = party with most paper + machine votes nationally",
    )
    return Dataset(protocols, notes)


def load_romania(path: Path) -> Dataset:
    """Romanian mayoral protocols: turnout and home voting only, no candidate votes."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    def field(name: str) -> IntArray:
        return _ints((r[name] for r in rows), name)

    region, region_names = _codes([r["precinct_county_name"] for r in rows])
    protocols = Protocols(
        name="Romania, local (mayoral) elections, 9 Jun 2024 (gov2-ro)",
        station_ids=tuple(f"{r['precinct_county_nce']}-{r['precinct_nr']}" for r in rows),
        region=region,
        region_names=region_names,
        registered=field("a"),
        issued=field("b"),
        home_issued=field("b4"),
        valid=field("c"),
        invalid=field("d"),
    )
    notes = (
        "no candidate votes in this file: fingerprint, fraud-model fit, leader-share "
        "integer test and Benford test cannot be computed",
        "home_issued = b4 (voters who voted via the mobile box)",
    )
    return Dataset(protocols, notes)


def load_export(path: Path) -> Dataset:
    """The pollwatch protocols export described in the module docstring."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)

    def field(name: str) -> IntArray:
        return _ints((r[name] for r in rows), name)

    candidates = [name for name in header if name.startswith(VOTES_PREFIX)]
    region, region_names = _codes([r["region"] for r in rows])
    votes = np.column_stack([field(c) for c in candidates]) if candidates else None
    leader_column = int(np.argmax(votes.sum(axis=0))) if votes is not None else None
    has_home = any(r["home_issued"].strip() for r in rows)
    protocols = Protocols(
        name=f"pollwatch export {path.name}",
        station_ids=tuple(r["station_id"] for r in rows),
        region=region,
        region_names=region_names,
        registered=field("registered"),
        issued=field("issued"),
        home_issued=field("home_issued") if has_home else None,
        valid=field("valid"),
        invalid=field("invalid"),
        leader=None if votes is None or leader_column is None else votes[:, leader_column],
        leader_name=None if leader_column is None else candidates[leader_column].removeprefix(VOTES_PREFIX),
        candidate_votes=votes,
        candidate_names=tuple(c.removeprefix(VOTES_PREFIX) for c in candidates),
    )
    notes = () if votes is not None else ("export has no votes: columns",)
    return Dataset(protocols, notes)
