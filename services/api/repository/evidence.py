"""Evidence photos (migration 0021), with the region of the station they were taken for."""

from __future__ import annotations

import asyncpg


async def photo_by_id(pool: asyncpg.Pool, photo_id: str) -> asyncpg.Record | None:
    """media_type, content and region_id (None when the station left the registry); never who sent it."""
    row: asyncpg.Record | None = await pool.fetchrow(
        """SELECT e.media_type, e.content, s.region_id
           FROM evidence e LEFT JOIN stations s ON s.id = e.station_id
           WHERE e.id = $1""",
        photo_id,
    )
    return row
