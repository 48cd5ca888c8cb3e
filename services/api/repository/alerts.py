"""Alerts in keyset pages, and what ops did to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.api.pagination import Cursor
from services.api.repository.sql import Where
from services.common import audit


async def page_alerts(
    pool: asyncpg.Pool,
    *,
    state: str | None,
    severity: str | None,
    rule: str | None,
    region: str | None,
    regions: list[str] | None,
    station: str | None,
    since: datetime | None,
    after: Cursor | None,
    limit: int,
    verifications: Sequence[str] | None = None,
) -> list[asyncpg.Record]:
    """Newest change first; up to `limit` + 1 rows; `regions` limits them to a key's regions,
    `verifications` to these verification states."""
    where = Where()
    for column, value in (
        ("state", state),
        ("severity", severity),
        ("rule", rule),
        ("region_id", region),
        ("station_id", station),
    ):
        if value is not None:
            where.add(f"{column} = {{}}", value)
    if regions is not None:
        where.add("region_id = ANY({}::text[])", regions)
    if verifications is not None:
        where.add("verification = ANY({}::text[])", list(verifications))
    if since is not None:
        where.add("updated_at >= {}", since)
    if after is not None:
        where.add(
            "(updated_at, id) < ({}::timestamptz, {})", datetime.fromisoformat(str(after.value)), after.id
        )
    sql = (
        f"SELECT * FROM alerts {where.sql()} ORDER BY updated_at DESC, id DESC LIMIT {where.param(limit + 1)}"
    )
    return await pool.fetch(sql, *where.params)


async def alert_by_id(pool: asyncpg.Pool | asyncpg.Connection | Any, alert_id: str) -> asyncpg.Record | None:
    return await pool.fetchrow("SELECT * FROM alerts WHERE id = $1", alert_id)


async def actions_by_alert_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await pool.fetch(
        """SELECT alert_id, action, key_id, org, note, at FROM alert_actions
           WHERE alert_id = ANY($1::text[]) ORDER BY at, id""",
        list(ids),
    )


async def record_action(
    pool: asyncpg.Pool, alert_id: str, action: str, key_id: str, org: str, note: str
) -> asyncpg.Record | None:
    """Records the action and, for a resolution, resolves the alert; None if no such alert."""
    async with pool.acquire() as conn, conn.transaction():
        alert = await conn.fetchrow("SELECT id FROM alerts WHERE id = $1 FOR UPDATE", alert_id)
        if alert is None:
            return None
        await conn.execute(
            "INSERT INTO alert_actions (alert_id, action, key_id, org, note) VALUES ($1, $2, $3, $4, $5)",
            alert_id,
            action,
            key_id,
            org,
            note,
        )
        done = "acknowledged" if action == "acknowledge" else "resolved"
        await audit.record(conn, audit.api_actor(key_id, org), f"alert.{done}", alert_id, {"note": note})
        if action == "resolve":
            await conn.execute(
                """UPDATE alerts SET state = 'resolved', resolved_at = coalesce(resolved_at, now()),
                   updated_at = now() WHERE id = $1""",
                alert_id,
            )
        return await alert_by_id(conn, alert_id)
