"""Exports as CSV, streamed: stations, reports, incidents, alerts and the audit log.

Each dataset shows a caller exactly what GraphQL shows their role: monitors' ids from analyst
on, their names and phones from coordinator on, incident descriptions to keys that read them;
partner and public keys get only the verification states they read (`Principal.visible_verifications`),
and a region-scoped key only its regions. Rows come from a server-side cursor, a chunk at a time,
so an export of any size holds one chunk in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson

from services.api.auth import Principal, Role
from services.api.repository.sql import Where
from services.common.infra.db import Conn

CHUNK_ROWS = 2000


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql: str
    role: Role = Role.PUBLIC  # the least role that reads it
    incident_text: bool = False  # also needs a key that reads incident descriptions
    # Its type in typed formats (Parquet, XLSX): text, int, float, time (UTC) or json (as text).
    type: str = "text"


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    role: Role
    source: str
    columns: tuple[Column, ...]
    order: str
    time: str | None = None  # the column `since`/`until` bound
    region: str | None = None
    verification: str | None = None
    only: str | None = None  # a fixed condition (e.g. the report kind)


# Typed columns of the datasets built from plain column names (audit's `id` is a bigint).
_TYPES = {
    "registered_voters": "int", "latitude": "float", "longitude": "float", "value": "float",
    "threshold": "float", "opened_at": "time", "updated_at": "time", "resolved_at": "time",
    "at": "time", "details": "json",
}  # fmt: skip
_MONITOR = (
    Column("monitor_id", "r.monitor_id", Role.ANALYST),
    Column("monitor_name", "m.display_name", Role.COORDINATOR),
    Column("monitor_phone", "m.phone", Role.COORDINATOR),
)
_REPORTS = "reports r JOIN stations s ON s.id = r.station_id LEFT JOIN monitors m ON m.id = r.monitor_id"
DATASETS = {
    d.name: d
    for d in (
        Dataset(
            "stations",
            Role.PARTNER,
            "stations s",
            tuple(
                Column(c, f"s.{c}", type=_TYPES.get(c, "text"))
                for c in ("id", "region_id", "district", "name", "registered_voters", "latitude", "longitude")
            ),
            "s.id",
            region="s.region_id",
        ),
        Dataset(
            "reports",
            Role.ANALYST,
            _REPORTS,
            (
                Column("id", "r.id"),
                Column("station_id", "r.station_id"),
                Column("region_id", "s.region_id"),
                Column("kind", "r.kind"),
                Column("channel", "r.channel"),
                Column("observed_at", "r.observed_at", type="time"),
                Column("received_at", "r.received_at", type="time"),
                Column("body", "r.body", type="json"),
                Column("verification", "r.verification"),
                *_MONITOR,
            ),
            "r.observed_at, r.id",
            time="r.observed_at",
            region="s.region_id",
            verification="r.verification",
        ),
        Dataset(
            "incidents",
            Role.PARTNER,
            _REPORTS,
            (
                Column("id", "r.id"),
                Column("station_id", "r.station_id"),
                Column("region_id", "s.region_id"),
                Column("observed_at", "r.observed_at", type="time"),
                Column("violation", "r.body->>'violation'"),
                Column("description", "r.body->>'description'", incident_text=True),
                Column("verification", "r.verification"),
                *_MONITOR,
            ),
            "r.observed_at, r.id",
            time="r.observed_at",
            region="s.region_id",
            verification="r.verification",
            only="r.kind = 'incident'",
        ),
        Dataset(
            "alerts",
            Role.PARTNER,
            "alerts a",
            tuple(
                Column(c, f"a.{c}", type=_TYPES.get(c, "text"))
                for c in (
                    "id",
                    "rule",
                    "severity",
                    "state",
                    "station_id",
                    "region_id",
                    "value",
                    "threshold",
                    "message",
                    "opened_at",
                    "updated_at",
                    "resolved_at",
                    "verification",
                )
            ),
            "a.opened_at, a.id",
            time="a.opened_at",
            region="a.region_id",
            verification="a.verification",
        ),
        Dataset(
            "audit",
            Role.ADMIN,
            "audit_log l",
            tuple(
                Column(c, f"l.{c}", type=_TYPES.get(c, "text"))
                for c in ("id", "at", "actor", "action", "subject", "details")
            ),
            "l.id",
            time="l.at",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class ExportFilter:
    region: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    verified_only: bool = False


def columns_for(dataset: Dataset, who: Principal) -> list[Column]:
    return [
        c
        for c in dataset.columns
        if who.role.includes(c.role) and (not c.incident_text or who.may_read_incident_texts)
    ]


def query(dataset: Dataset, who: Principal, wanted: ExportFilter) -> tuple[str, list[object]]:
    """The statement and its parameters; the caller has checked the role and region."""
    where = Where()
    if dataset.only is not None:
        where.add(dataset.only)
    if dataset.region is not None:
        if wanted.region is not None:
            where.add(f"{dataset.region} = {{}}", wanted.region)
        if who.regions is not None:
            where.add(f"{dataset.region} = ANY({{}}::text[])", sorted(who.regions))
    if dataset.time is not None:
        if wanted.since is not None:
            where.add(f"{dataset.time} >= {{}}", wanted.since)
        if wanted.until is not None:
            where.add(f"{dataset.time} < {{}}", wanted.until)
    if dataset.verification is not None:
        if wanted.verified_only:
            where.add(f"{dataset.verification} = 'verified'")
        elif (visible := who.visible_verifications) is not None:
            where.add(f"{dataset.verification} = ANY({{}}::text[])", list(visible))
    select = ", ".join(f"{c.sql} AS {c.name}" for c in columns_for(dataset, who))
    return f"SELECT {select} FROM {dataset.source} {where.sql()} ORDER BY {dataset.order}", where.params


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return "" if value is None else value


async def record_chunks(
    conn: Conn, dataset: Dataset, who: Principal, wanted: ExportFilter
) -> AsyncIterator[list[tuple[object, ...]]]:
    """The rows, `CHUNK_ROWS` at a time (the last one shorter), read through a server-side cursor."""
    sql, params = query(dataset, who, wanted)
    chunk: list[tuple[object, ...]] = []
    async with conn.transaction(readonly=True):
        async for record in conn.cursor(sql, *params, prefetch=CHUNK_ROWS):
            chunk.append(tuple(record.values()))
            if len(chunk) == CHUNK_ROWS:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


async def csv_chunks(
    conn: Conn, dataset: Dataset, who: Principal, wanted: ExportFilter
) -> AsyncIterator[bytes]:
    """The header, then rows `CHUNK_ROWS` at a time, read through a server-side cursor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns_for(dataset, who)])
    async for chunk in record_chunks(conn, dataset, who, wanted):
        writer.writerows([_cell(v) for v in row] for row in chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def names() -> Sequence[str]:
    return tuple(DATASETS)
