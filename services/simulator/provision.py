"""Monitors for a simulated or replayed day: one per station, with a bearer token and a phone."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class Credentials:
    monitor_id: str
    token: str
    phone: str


def token_hash(token: str) -> str:
    """As ingest stores tokens (services/common/migrations/0003_monitors.sql): SHA-256 hex."""
    return hashlib.sha256(token.encode()).hexdigest()


async def provision_monitors(
    conn: asyncpg.Connection, station_ids: list[str], run_id: str
) -> dict[str, Credentials]:
    """Creates one monitor per station (ids and phones unique to the run); returns their credentials."""
    creds: dict[str, Credentials] = {}
    for n, station_id in enumerate(station_ids):
        creds[station_id] = Credentials(
            monitor_id=f"sim-{run_id}-{n:06d}",
            token=secrets.token_urlsafe(32),
            # Reserved fictional range: +999 is unassigned, so no real person is ever texted.
            phone=f"+999{int(token_hash(run_id), 16) % 10_000:04d}{n:07d}",
        )
    async with conn.transaction():
        await conn.copy_records_to_table(
            "monitors",
            records=[
                (c.monitor_id, f"Simulated monitor {c.monitor_id}", c.phone, token_hash(c.token))
                for c in creds.values()
            ],
            columns=["id", "display_name", "phone", "token_hash"],
        )
        await conn.copy_records_to_table(
            "monitor_stations",
            records=[(c.monitor_id, station_id) for station_id, c in creds.items()],
            columns=["monitor_id", "station_id"],
        )
    return creds


async def provision_region_monitors(
    conn: asyncpg.Connection, stations_by_region: dict[str, list[str]], run_id: str
) -> dict[str, Credentials]:
    """One replay monitor per region, assigned to all its stations; returns credentials by station."""
    by_station: dict[str, Credentials] = {}
    monitors: list[Credentials] = []
    for n, (region, station_ids) in enumerate(sorted(stations_by_region.items())):
        creds = Credentials(
            f"replay-{run_id}-{region}", secrets.token_urlsafe(32), f"+998{n:04d}{run_id[:6]}"
        )
        monitors.append(creds)
        by_station.update(dict.fromkeys(station_ids, creds))
    async with conn.transaction():
        await conn.copy_records_to_table(
            "monitors",
            records=[
                (c.monitor_id, f"Replay of {c.monitor_id}", None, token_hash(c.token)) for c in monitors
            ],
            columns=["id", "display_name", "phone", "token_hash"],
        )
        await conn.copy_records_to_table(
            "monitor_stations",
            records=[(c.monitor_id, sid) for sid, c in by_station.items()],
            columns=["monitor_id", "station_id"],
        )
    return by_station
