"""Writing a parsed registry to PostgreSQL in one transaction (all or nothing)."""

from __future__ import annotations

import asyncpg

from services.common.registry.registry_events import notify_registry_changed
from services.common.registry.stations import Registry


async def store_registry(conn: asyncpg.Connection, registry: Registry) -> int:
    """Upserts regions and stations; returns the number of stations written."""
    async with conn.transaction():
        await conn.executemany(
            """INSERT INTO regions (id, name, kind, timezone) VALUES ($1, $2, $3, $4)
               ON CONFLICT (id) DO UPDATE SET
                 name = EXCLUDED.name, kind = EXCLUDED.kind, timezone = EXCLUDED.timezone""",
            [(r.id, r.name, r.kind, r.timezone) for r in registry.regions],
        )
        # COPY into a temporary table then one upsert: ~100k stations load in seconds.
        await conn.execute(
            "CREATE TEMPORARY TABLE incoming_stations (LIKE stations INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        await conn.copy_records_to_table(
            "incoming_stations",
            records=[
                (s.id, s.region_id, s.district, s.name, s.registered_voters, s.latitude, s.longitude)
                for s in registry.stations
            ],
            columns=["id", "region_id", "district", "name", "registered_voters", "latitude", "longitude"],
        )
        await conn.execute(
            """INSERT INTO stations (id, region_id, district, name, registered_voters, latitude, longitude)
               SELECT id, region_id, district, name, registered_voters, latitude, longitude
               FROM incoming_stations
               ON CONFLICT (id) DO UPDATE SET
                 region_id = EXCLUDED.region_id, district = EXCLUDED.district, name = EXCLUDED.name,
                 registered_voters = EXCLUDED.registered_voters, latitude = EXCLUDED.latitude,
                 longitude = EXCLUDED.longitude, updated_at = now()"""
        )
        await notify_registry_changed(conn)
    return len(registry.stations)
