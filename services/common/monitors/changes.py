"""Changing one monitor on the day: a new phone, other stations, a new token.

Each change is one transaction with its audit entry; ingest hears of it at commit (the
monitors tables notify, migration 0017) and refuses the old phone or token from then on.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.common import audit
from services.common.infra.db import Conn
from services.common.infra.errors import PollwatchError
from services.common.monitors.phones import e164, mask
from services.common.monitors.roster import MAX_STATIONS
from services.common.monitors.tokens import hash_token, new_token


class MonitorChangeError(PollwatchError):
    """A change refused: `code` (not_found, bad_phone, phone_taken, unknown_station, ...) and
    `field` (the argument at fault)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


async def _active(conn: Conn, monitor_id: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, phone FROM monitors WHERE id = $1 AND revoked_at IS NULL FOR UPDATE", monitor_id
    )
    if row is None:
        raise MonitorChangeError("not_found", "monitor", f"no active monitor {monitor_id!r}")
    return row


async def swap_phone(conn: Conn, monitor_id: str, raw_phone: str, actor: str) -> str:
    """Gives the monitor a new phone (its old one is refused at once); returns it in E.164."""
    phone = e164(raw_phone)
    if phone is None:
        raise MonitorChangeError(
            "bad_phone", "phone", f"{raw_phone!r} is not a valid international number, e.g. +77011234567"
        )
    async with conn.transaction():
        old = (await _active(conn, monitor_id))["phone"]
        if old == phone:
            return phone
        holder = await conn.fetchval(
            "SELECT id FROM monitors WHERE phone = $1 AND revoked_at IS NULL AND id <> $2", phone, monitor_id
        )
        if holder is not None:
            raise MonitorChangeError("phone_taken", "phone", f"that phone belongs to monitor {holder}")
        await conn.execute("UPDATE monitors SET phone = $2 WHERE id = $1", monitor_id, phone)
        await audit.record(
            conn, actor, "monitor.phone_swapped", monitor_id, {"from": mask(old), "to": mask(phone)}
        )
    return phone


async def move_stations(conn: Conn, monitor_id: str, stations: Sequence[str], actor: str) -> tuple[str, ...]:
    """Assigns the monitor to `stations` instead of its current ones; returns them sorted."""
    wanted = tuple(sorted(set(stations)))
    if not wanted:
        raise MonitorChangeError("required", "stations", "a monitor needs at least one station")
    if len(wanted) > MAX_STATIONS:
        raise MonitorChangeError("too_many", "stations", f"more than {MAX_STATIONS} stations")
    async with conn.transaction():
        await _active(conn, monitor_id)
        known = {
            r["id"] for r in await conn.fetch("SELECT id FROM stations WHERE id = ANY($1::text[])", wanted)
        }
        unknown = [s for s in wanted if s not in known]
        if unknown:
            raise MonitorChangeError(
                "unknown_station", "stations", f"not in the station registry: {', '.join(unknown)}"
            )
        before = await conn.fetch(
            "DELETE FROM monitor_stations WHERE monitor_id = $1 RETURNING station_id", monitor_id
        )
        await conn.executemany(
            "INSERT INTO monitor_stations (monitor_id, station_id) VALUES ($1, $2)",
            [(monitor_id, s) for s in wanted],
        )
        previous = sorted(r["station_id"] for r in before)
        if tuple(previous) != wanted:
            await audit.record(
                conn, actor, "monitor.stations_moved", monitor_id, {"from": previous, "to": list(wanted)}
            )
    return wanted


async def issue_tokens(conn: Conn, monitor_ids: Sequence[str], actor: str) -> dict[str, str]:
    """A new token for each active monitor listed, replacing (revoking) any it had; returns them
    by monitor id. Only their hashes are stored."""
    tokens = {mid: new_token() for mid in dict.fromkeys(monitor_ids)}
    async with conn.transaction():
        rows = await conn.fetch(
            """UPDATE monitors m SET token_hash = t.hash, token_issued_at = now()
               FROM unnest($1::text[], $2::text[]) AS t(id, hash)
               WHERE m.id = t.id AND m.revoked_at IS NULL
               RETURNING m.id""",
            list(tokens),
            [hash_token(t) for t in tokens.values()],
        )
        issued = {r["id"] for r in rows}
        if issued:
            await audit.record(conn, actor, "monitors.tokens_issued", details={"monitors": sorted(issued)})
    return {mid: token for mid, token in tokens.items() if mid in issued}
