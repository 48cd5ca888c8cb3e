from __future__ import annotations

import asyncpg

from services.common.infra.migrate import apply_migrations


async def test_migrations_create_the_schema(db: asyncpg.Connection) -> None:
    tables = {
        r["table_name"]
        for r in await db.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    }
    assert {
        "regions",
        "stations",
        "reports",
        "station_stats",
        "region_stats",
        "alerts",
        "turnout_series",
    } <= tables


async def test_migrations_are_applied_once(database_url: str, db: asyncpg.Connection) -> None:
    assert apply_migrations(database_url) == []
    applied = await db.fetch("SELECT migration_id FROM _yoyo_migration ORDER BY migration_id")
    assert [r["migration_id"] for r in applied][:2] == ["0001_registry", "0002_read_model"]


async def test_schema_refuses_impossible_station(db: asyncpg.Connection) -> None:
    await db.execute("INSERT INTO regions (id, name) VALUES ('R', 'Region')")
    try:
        await db.execute(
            "INSERT INTO stations (id, region_id, name, registered_voters) VALUES ('S', 'R', 'x', -1)"
        )
    except asyncpg.CheckViolationError:
        pass
    else:
        raise AssertionError("negative registered_voters was accepted")
