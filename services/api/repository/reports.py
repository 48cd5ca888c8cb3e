"""Monitors' reports in keyset pages (analyst only: they carry monitor identities)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from services.api.pagination import Cursor
from services.api.repository.sql import Where


async def page_reports(
    pool: asyncpg.Pool,
    *,
    station: str | None,
    regions: list[str] | None,
    kind: str | None,
    since: datetime | None,
    after: Cursor | None,
    limit: int,
    verifications: Sequence[str] | None = None,
) -> list[asyncpg.Record]:
    """Newest first; `regions` limits them to the stations of a key's regions, `verifications`
    to these verification states."""
    where = Where()
    if station is not None:
        where.add("station_id = {}", station)
    if regions is not None:
        where.add("station_id IN (SELECT id FROM stations WHERE region_id = ANY({}::text[]))", regions)
    if kind is not None:
        where.add("kind = {}", kind)
    if verifications is not None:
        where.add("verification = ANY({}::text[])", list(verifications))
    if since is not None:
        where.add("observed_at >= {}", since)
    if after is not None:
        where.add(
            "(observed_at, id) < ({}::timestamptz, {})", datetime.fromisoformat(str(after.value)), after.id
        )
    sql = f"""SELECT id, station_id, monitor_id, channel, kind, observed_at, received_at, flags, body,
                     verification
              FROM reports {where.sql()} ORDER BY observed_at DESC, id DESC LIMIT {where.param(limit + 1)}"""
    return await pool.fetch(sql, *where.params)


async def incidents_by_station_ids(pool: asyncpg.Pool, ids: list[str], limit: int) -> list[asyncpg.Record]:
    """The latest `limit` incident reports per station, without who sent them."""
    return await pool.fetch(
        """SELECT station_id, id, observed_at, body, verification FROM (
               SELECT station_id, id, observed_at, body, verification,
                      row_number() OVER (PARTITION BY station_id ORDER BY observed_at DESC, id DESC) AS n
               FROM reports WHERE kind = 'incident' AND station_id = ANY($1::text[])) r
           WHERE n <= $2 ORDER BY station_id, observed_at DESC, id DESC""",
        ids,
        limit,
    )


async def protocols_of_station(pool: asyncpg.Pool, station_id: str, limit: int) -> list[asyncpg.Record]:
    """The station's final protocols (its newest `limit`), newest first."""
    return await pool.fetch(
        """SELECT id, monitor_id, observed_at, received_at, body, verification FROM reports
           WHERE station_id = $1 AND kind = 'protocol'
           ORDER BY observed_at DESC, id DESC LIMIT $2""",
        station_id,
        limit,
    )
