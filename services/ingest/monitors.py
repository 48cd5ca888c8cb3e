"""The monitors store: bearer tokens (kept as SHA-256 only), phones, station assignments and
the language SMS replies are sent in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg

from services.common import audit
from services.common.catalog import Lang
from services.common.monitors.tokens import hash_token, new_token
from services.ingest.errors import IngestError

LANGUAGES = tuple(lang.value for lang in Lang)  # as migration 0016's CHECK
_PHONE = re.compile(r"\+[1-9]\d{6,14}")
_SELECT = """
SELECT m.id, m.display_name, m.phone, m.token_hash, m.revoked_at IS NOT NULL AS revoked, m.lang,
       coalesce(array_agg(s.station_id ORDER BY s.station_id) FILTER (WHERE s.station_id IS NOT NULL), '{}')
         AS stations
FROM monitors m LEFT JOIN monitor_stations s ON s.monitor_id = m.id
"""


Executor = asyncpg.Connection | asyncpg.Pool


class MonitorError(IngestError):
    """A monitor cannot be added or changed as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class Monitor:
    id: str
    display_name: str
    phone: str | None
    token_hash: str | None  # None until credentials are issued
    stations: frozenset[str]
    revoked: bool = False
    lang: str | None = None  # SMS replies' language (en, ru, kk); None: the text's own


def normalize_phone(raw: str) -> str | None:
    """E.164 ("+77011234567") from what gateways send ("tel:+7 701 123-45-67", "0077011234567")."""
    phone = re.sub(r"[\s\-().]", "", raw.strip().removeprefix("tel:"))
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    elif not phone.startswith("+"):
        phone = "+" + phone
    return phone if _PHONE.fullmatch(phone) else None


def _monitor(row: asyncpg.Record) -> Monitor:
    return Monitor(
        row["id"],
        row["display_name"],
        row["phone"],
        row["token_hash"],
        frozenset(row["stations"]),
        row["revoked"],
        row["lang"],
    )


async def add_monitor(
    conn: asyncpg.Connection,
    name: str,
    phone: str | None,
    stations: list[str],
    lang: str | None = None,
    actor: str = "",
) -> tuple[Monitor, str]:
    """Creates a monitor bound to `stations`, answered by SMS in `lang` (None: in the language
    of each text); returns it and its token (never stored in clear)."""
    if lang is not None and lang not in LANGUAGES:
        raise MonitorError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    e164 = None
    if phone:
        e164 = normalize_phone(phone)
        if e164 is None:
            raise MonitorError(f"phone {phone!r} is not an international number like +77011234567")
    if not stations:
        raise MonitorError("a monitor needs at least one station")
    token = new_token()
    monitor_id = "mon-" + uuid.uuid4().hex[:12]
    async with conn.transaction():
        known = {r["id"] for r in await conn.fetch("SELECT id FROM stations WHERE id = ANY($1)", stations)}
        unknown = sorted(set(stations) - known)
        if unknown:
            raise MonitorError(f"unknown station(s): {', '.join(unknown)}")
        if e164 and await conn.fetchval(
            "SELECT 1 FROM monitors WHERE phone = $1 AND revoked_at IS NULL", e164
        ):
            raise MonitorError("that phone is already registered to another monitor")
        await conn.execute(
            """INSERT INTO monitors (id, display_name, phone, token_hash, lang, token_issued_at)
               VALUES ($1, $2, $3, $4, $5, now())""",
            monitor_id,
            name,
            e164,
            hash_token(token),
            lang,
        )
        await conn.executemany(
            "INSERT INTO monitor_stations (monitor_id, station_id) VALUES ($1, $2)",
            [(monitor_id, s) for s in sorted(set(stations))],
        )
        await audit.record(
            conn, actor or audit.cli_actor(), "monitor.added", monitor_id, {"stations": sorted(set(stations))}
        )
    return Monitor(monitor_id, name, e164, hash_token(token), frozenset(stations), lang=lang), token


async def revoke_monitor(conn: asyncpg.Connection, monitor_id: str, actor: str = "") -> bool:
    """Revokes the monitor's token (and phone); False when no such active monitor."""
    async with conn.transaction():
        status = await conn.execute(
            "UPDATE monitors SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", monitor_id
        )
        if not status.endswith(" 1"):
            return False
        await audit.record(conn, actor or audit.cli_actor(), "monitor.revoked", monitor_id)
    return True


async def list_monitors(conn: asyncpg.Connection) -> list[Monitor]:
    rows = await conn.fetch(_SELECT + " GROUP BY m.id ORDER BY m.id")
    return [_monitor(r) for r in rows]


async def monitor_by_token_hash(conn: Executor, token_hash: str) -> Monitor | None:
    """The active monitor holding this token, if any."""
    row = await conn.fetchrow(
        _SELECT + " WHERE m.token_hash = $1 AND m.revoked_at IS NULL GROUP BY m.id", token_hash
    )
    return None if row is None else _monitor(row)


async def monitor_by_phone(conn: Executor, phone: str) -> Monitor | None:
    """The active monitor registered with this E.164 phone, if any."""
    row = await conn.fetchrow(_SELECT + " WHERE m.phone = $1 AND m.revoked_at IS NULL GROUP BY m.id", phone)
    return None if row is None else _monitor(row)
