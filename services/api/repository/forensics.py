"""The live forensics figures the aggregator writes, per region ('' = national)."""

from __future__ import annotations

import asyncpg


async def forensics_for(pool: asyncpg.Pool, region_id: str) -> asyncpg.Record | None:
    """The latest figures of a region ('' for the nation), or None before the first ones."""
    return await pool.fetchrow(
        "SELECT region_id, computed_at, stations, summary, fingerprint FROM forensics WHERE region_id = $1",
        region_id,
    )
