"""The station loader against the real database: all of a good file, nothing of a bad one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from services.aggregator.domain.station_state import StationInfo
from services.aggregator.registry import load_registry
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Registry, Station, StationFileError, parse_registry


async def test_demo_registry_loads_completely(db: asyncpg.Connection) -> None:
    assert await store_registry(db, demo_registry()) == 2000
    assert await db.fetchval("SELECT count(*) FROM stations") == 2000
    assert await db.fetchval("SELECT count(*) FROM regions WHERE kind = 'city'") == 3
    row = await db.fetchrow("SELECT * FROM stations WHERE id = 'ALA-0001'")
    assert row is not None
    expected = next(s for s in demo_registry().stations if s.id == "ALA-0001")
    assert (row["region_id"], row["registered_voters"], row["name"]) == (
        "ALA",
        expected.registered_voters,
        expected.name,
    )


async def test_reload_updates_in_place(db: asyncpg.Connection) -> None:
    registry = parse_registry("station_id,region_id,region_name,name,registered_voters\nS1,R,Reg,Old,10\n")
    await store_registry(db, registry)
    await store_registry(
        db, parse_registry("station_id,region_id,region_name,name,registered_voters\nS1,R,Reg,New,12\n")
    )
    rows = await db.fetch("SELECT id, name, registered_voters FROM stations")
    assert [tuple(r) for r in rows] == [("S1", "New", 12)]


async def test_region_time_zones_are_stored_and_read_by_the_aggregator(
    db: asyncpg.Connection, database_url: str
) -> None:
    header = "station_id,region_id,region_name,name,registered_voters,region_timezone\n"
    text = header + "K1,KAM,Kamchatka,School,900,Asia/Kamchatka\nM1,MOW,Moscow,Library,1200,\n"
    await store_registry(db, parse_registry(text))
    rows = await db.fetch("SELECT id, timezone FROM regions ORDER BY id")
    assert [tuple(r) for r in rows] == [("KAM", "Asia/Kamchatka"), ("MOW", None)]
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        infos = await load_registry(pool)
    finally:
        await pool.close()
    assert infos == {"K1": StationInfo("KAM", 900, "Asia/Kamchatka"), "M1": StationInfo("MOW", 1200)}


async def test_database_failure_midway_loads_nothing(db: asyncpg.Connection) -> None:
    good = demo_registry()
    # A station of an unknown region passes parsing but breaks the foreign key at the database.
    orphan = Station("ZZ-1", "NO-SUCH-REGION", "x", 10)
    broken = Registry(good.regions, (*good.stations, orphan))
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await store_registry(db, broken)
    assert await db.fetchval("SELECT count(*) FROM stations") == 0
    assert await db.fetchval("SELECT count(*) FROM regions") == 0


def test_cli_names_line_and_field_and_loads_nothing(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("station_id,region_id,region_name,name,registered_voters\nS1,R,Reg,A,10\nS2,R,Reg,B,ten\n")
    result = subprocess.run(
        [sys.executable, "-m", "services", "stations", "load", str(bad)],
        env={"POLLWATCH_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "line 3, field registered_voters: 'ten' is not a whole number" in result.stderr
    with pytest.raises(StationFileError):
        parse_registry(bad.read_text())

    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM stations"))
        finally:
            await conn.close()

    import asyncio

    assert asyncio.run(count()) == 0
