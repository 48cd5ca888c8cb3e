"""Regions, their roll-ups and the nationwide overview."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

_REGION = """SELECT r.id, r.name, r.kind, r.timezone,
        (SELECT count(*) FROM stations s WHERE s.region_id = r.id) AS stations,
        (SELECT coalesce(sum(s.registered_voters), 0) FROM stations s WHERE s.region_id = r.id)
            AS registered_voters
    FROM regions r"""


async def regions_by_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await pool.fetch(f"{_REGION} WHERE r.id = ANY($1::text[])", list(ids))


async def all_regions(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(f"{_REGION} ORDER BY r.id")


async def region_stats_by_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    """Roll-ups by region id; '' is the nationwide one."""
    return await pool.fetch("SELECT * FROM region_stats WHERE region_id = ANY($1::text[])", list(ids))


async def open_alerts_by_severity(pool: asyncpg.Pool, regions: list[str] | None = None) -> dict[str, int]:
    """Open alerts by severity: all of them, or those of `regions` (a key's regions)."""
    rows = await pool.fetch(
        """SELECT severity, count(*) AS n FROM alerts
           WHERE state = 'open' AND ($1::text[] IS NULL OR region_id = ANY($1::text[])) GROUP BY 1""",
        regions,
    )
    return {r["severity"]: r["n"] for r in rows}
