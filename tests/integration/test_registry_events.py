"""A registry load reaches a running service at once, through LISTEN/NOTIFY on real PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from services.common.registry.registry_events import reload_on_change
from services.common.registry.station_store import store_registry
from services.common.registry.stations import parse_registry

CSV = "station_id,region_id,region_name,name,registered_voters\n{rows}"


async def test_a_committed_load_triggers_a_reload_and_a_failed_one_does_not(
    database_url: str, db: asyncpg.Connection
) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    assert pool is not None
    seen: list[int] = []
    reloaded = asyncio.Event()

    async def reload() -> None:
        seen.append(int(await pool.fetchval("SELECT count(*) FROM stations")))
        reloaded.set()

    # A fallback of an hour: any reload within seconds can only come from the notification.
    watcher = asyncio.create_task(reload_on_change(pool, reload, fallback_every=3600))
    try:
        await asyncio.sleep(0.3)  # the listener is up
        await store_registry(db, parse_registry(CSV.format(rows="S1,R,Reg,A,10\nS2,R,Reg,B,20\n")))
        await asyncio.wait_for(reloaded.wait(), 5)
        assert seen == [2]
        reloaded.clear()
        with contextlib.suppress(asyncpg.ForeignKeyViolationError):
            async with db.transaction():
                await db.execute("NOTIFY pollwatch_registry")
                await db.execute(
                    "INSERT INTO stations (id, region_id, name, registered_voters) VALUES ('X', 'NO', 'x', 1)"
                )
        await asyncio.sleep(0.5)
        assert not reloaded.is_set(), "a rolled-back load must not notify"
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await pool.close()


async def test_the_listener_ends_when_the_pool_is_closed(database_url: str) -> None:
    """A service shutting down closes its pool first; the listener must end then, not retry
    forever and keep the process from exiting."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None

    async def reload() -> None:
        await pool.fetchval("SELECT 1")

    watcher = asyncio.create_task(reload_on_change(pool, reload, fallback_every=0.2))
    await asyncio.sleep(0.5)  # listening, and reloading on the fallback
    assert not watcher.done()
    pool.terminate()
    # Ends by itself (a generous bound: retrying would sleep and never return).
    await asyncio.wait_for(watcher, 10)
    assert watcher.done()
    assert watcher.exception() is None
