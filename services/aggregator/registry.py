"""The station registry cache: station -> region, registered voters, time zone, whether a
monitor is assigned and whether one checked in there (services/ingest/checkin.py), from
PostgreSQL. A check-in reaches the aggregator with the next reload (registry_refresh_s)."""

from __future__ import annotations

import asyncpg

from services.aggregator.domain.station_state import UNKNOWN_REGION, StationInfo


async def load_registry(pool: asyncpg.Pool) -> dict[str, StationInfo]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """SELECT s.id, s.region_id, s.registered_voters, r.timezone,
                      EXISTS (SELECT 1 FROM monitor_stations ms JOIN monitors m ON m.id = ms.monitor_id
                              WHERE ms.station_id = s.id AND m.revoked_at IS NULL) AS monitored,
                      EXISTS (SELECT 1 FROM monitor_stations ms JOIN monitors m ON m.id = ms.monitor_id
                              JOIN monitor_checkins c ON c.monitor_id = ms.monitor_id
                              WHERE ms.station_id = s.id AND m.revoked_at IS NULL) AS checked_in
               FROM stations s LEFT JOIN regions r ON r.id = s.region_id"""
        )
    zones: dict[str, str] = {}  # one string per zone, not one per station
    return {
        r["id"]: StationInfo(
            r["region_id"],
            r["registered_voters"],
            zones.setdefault(r["timezone"], r["timezone"]) if r["timezone"] else None,
            r["monitored"],
            r["checked_in"],
        )
        for r in rows
    }


def info_for(registry: dict[str, StationInfo], station_id: str) -> StationInfo:
    """A station the registry does not know counts in region "unknown" with no register."""
    return registry.get(station_id) or StationInfo(UNKNOWN_REGION, 0)
