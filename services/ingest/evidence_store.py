"""The evidence table (migration 0021): photos by SHA-256, stored once, with who sent them first."""

from __future__ import annotations

import asyncpg

from services.ingest.evidence import Photo


async def store_photo(pool: asyncpg.Pool, photo: Photo, station_id: str, monitor_id: str) -> bool:
    """Stores the photo unless it is stored already; True when this call stored it."""
    stored = await pool.fetchval(
        """INSERT INTO evidence (id, media_type, size_bytes, content, station_id, monitor_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO NOTHING
           RETURNING true""",
        photo.id,
        photo.media_type,
        len(photo.content),
        photo.content,
        station_id,
        monitor_id,
    )
    return bool(stored)
