"""The coordinators' review queue and verification decisions on reports and alerts.

Reports and alerts share one shape here (kind, id, region, station, type, time, priority and
the verification columns of migration 0025), so the queue is one ordered statement. Every
claim, call-back and decision also NOTIFYs `CHANNEL` with `<kind>:<id>` in its transaction, so
each API process's review listener hears of it once it is committed (services/api/review_live.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.api.repository.sql import Where
from services.common import audit
from services.common.infra.db import Conn

# Priority 0: grave incidents and critical alerts; 1: the rest. Oldest first within each.
_ITEMS = """
    SELECT 'report' AS kind, r.id, s.region_id, r.station_id, r.kind AS type, r.observed_at AS at,
           CASE WHEN r.kind = 'incident' AND r.body->>'violation' = ANY({grave}::text[]) THEN 0 ELSE 1 END
               AS priority,
           r.verification, r.verified_by, r.verified_at, r.verification_note, r.claimed_by, r.claimed_at,
           r.callback_outcome, r.callback_by, r.callback_at, r.callback_note
    FROM reports r JOIN stations s ON s.id = r.station_id
    UNION ALL
    SELECT 'alert', a.id, a.region_id, a.station_id, a.rule, a.opened_at,
           CASE WHEN a.severity = 'critical' THEN 0 ELSE 1 END,
           a.verification, a.verified_by, a.verified_at, a.verification_note, a.claimed_by, a.claimed_at,
           a.callback_outcome, a.callback_by, a.callback_at, a.callback_note
    FROM alerts a
"""
_TABLES = {"report": "reports", "alert": "alerts"}
CHANNEL = "pollwatch_review"


async def _notify(conn: Conn, kind: str, item_id: str) -> None:
    """Delivered to the listeners when the transaction commits, never if it rolls back."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{kind}:{item_id}")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """`regions` None: every region (the key's scope); `claimable_by` hides items another
    claimed within the last `claim_minutes` (older claims have lapsed)."""

    states: Sequence[str]
    grave_violations: Sequence[str]
    regions: Sequence[str] | None = None
    region: str | None = None
    kind: str | None = None
    type: str | None = None
    claimable_by: str | None = None
    claim_minutes: float = 15.0


async def review_queue(pool: asyncpg.Pool, wanted: QueueFilter, limit: int) -> list[asyncpg.Record]:
    where = Where()
    items = _ITEMS.format(grave=where.param(list(wanted.grave_violations)))
    where.add("verification = ANY({}::text[])", list(wanted.states))
    for column, value in (("region_id", wanted.region), ("kind", wanted.kind), ("type", wanted.type)):
        if value is not None:
            where.add(f"{column} = {{}}", value)
    if wanted.regions is not None:
        where.add("region_id = ANY({}::text[])", list(wanted.regions))
    if wanted.claimable_by is not None:
        where.add(
            "(claimed_by IS NULL OR claimed_by = {} OR claimed_at < now() - {} * interval '1 minute')",
            wanted.claimable_by,
            wanted.claim_minutes,
        )
    sql = (
        f"SELECT * FROM ({items}) q {where.sql()} ORDER BY priority, at, kind, id LIMIT {where.param(limit)}"
    )
    return await pool.fetch(sql, *where.params)


async def item(conn: Conn | asyncpg.Pool, kind: str, item_id: str) -> asyncpg.Record | None:
    """One report or alert in the queue's shape, whatever its state."""
    where = Where()
    items = _ITEMS.format(grave=where.param([]))
    where.add("kind = {}", kind)
    where.add("id = {}", item_id)
    return await conn.fetchrow(f"SELECT * FROM ({items}) q {where.sql()}", *where.params)


async def decide(conn: Conn, kind: str, item_id: str, state: str, actor: str, note: str) -> str | None:
    """Sets the verification state with who, when and why, audited in the same transaction;
    returns the state before (None: there is no such item). The claim ends with the decision."""
    async with conn.transaction():
        before = await conn.fetchval(
            f"SELECT verification FROM {_TABLES[kind]} WHERE id = $1 FOR UPDATE", item_id
        )
        if before is None:
            return None
        await conn.execute(
            f"""UPDATE {_TABLES[kind]} SET verification = $2, verified_by = $3, verified_at = now(),
                verification_note = $4, claimed_by = NULL, claimed_at = NULL WHERE id = $1""",
            item_id,
            state,
            actor,
            note,
        )
        await audit.record(conn, actor, f"{kind}.{state}", item_id, {"from": before, "note": note})
        await _notify(conn, kind, item_id)
    return str(before)


async def claim(conn: Conn, kind: str, item_id: str, actor: str, claim_minutes: float) -> str | None:
    """Claims the item for `actor` unless someone else claimed it within `claim_minutes`;
    returns who holds it afterwards (None: no such item)."""
    async with conn.transaction():
        row = await conn.fetchrow(
            f"""SELECT claimed_by, claimed_at >= now() - $2 * interval '1 minute' AS live
                FROM {_TABLES[kind]} WHERE id = $1 FOR UPDATE""",
            item_id,
            claim_minutes,
        )
        if row is None:
            return None
        if row["claimed_by"] is not None and row["live"] and row["claimed_by"] != actor:
            return str(row["claimed_by"])
        await conn.execute(
            f"UPDATE {_TABLES[kind]} SET claimed_by = $2, claimed_at = now() WHERE id = $1", item_id, actor
        )
        await audit.record(conn, actor, f"{kind}.claimed", item_id)
        await _notify(conn, kind, item_id)
    return actor


async def record_callback(conn: Conn, kind: str, item_id: str, outcome: str, actor: str, note: str) -> bool:
    """Records the latest call-back's outcome with who and when, audited in the same
    transaction (`<kind>.called_back`); False when there is no such item. The claim stays:
    the coordinator decides next."""
    async with conn.transaction():
        row = await conn.fetchrow(
            f"SELECT callback_outcome FROM {_TABLES[kind]} WHERE id = $1 FOR UPDATE", item_id
        )
        if row is None:
            return False
        await conn.execute(
            f"""UPDATE {_TABLES[kind]} SET callback_outcome = $2, callback_by = $3, callback_at = now(),
                callback_note = $4 WHERE id = $1""",
            item_id,
            outcome,
            actor,
            note,
        )
        details = {"outcome": outcome, "from": row["callback_outcome"], "note": note}
        await audit.record(conn, actor, f"{kind}.called_back", item_id, details)
        await _notify(conn, kind, item_id)
    return True
