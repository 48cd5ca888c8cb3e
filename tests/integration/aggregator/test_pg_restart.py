"""PostgreSQL restarted under a working aggregator (real PostgreSQL, stopped and started by
infra/postgres.sh while reports stream in): the worker goes on by itself, every report lands,
and /readyz says not ready while the database is down, ready again after.

A restart surfaces through asyncpg as whatever the connection was doing: server errors, a
closed connection, or (its protocol caught mid-statement) `InternalClientError`, which stopped
the worker for good while it still answered /healthz (services/aggregator/pg_writes.py,
worker.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx

from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, produce
from tests.support.factories import turnout
from tests.support.infra import run_script
from tests.support.processes import Service

STATIONS = tuple(f"S{n:02d}" for n in range(20))
REGISTRY = Registry((Region("R1", "Region one"),), tuple(Station(s, "R1", s, 1000) for s in STATIONS))
RESTARTS = 3
DOWN_S = 3.0


async def _stream(shared: SharedSettings, until: asyncio.Event) -> int:
    """Reports in small rounds (one per station) until `until` is set; returns how many."""
    sent = 0
    minute = 0
    while not until.is_set():
        minute += 1
        await produce(
            shared,
            [turnout(10 * minute, id=f"{s}-{minute}", station_id=s, minutes=minute) for s in STATIONS],
        )
        sent += len(STATIONS)
        await asyncio.sleep(0.2)
    return sent


async def _readiness(service: Service, until: asyncio.Event) -> list[tuple[float, int]]:
    """(monotonic time, /readyz status) every 0.3 s until `until` is set."""
    seen: list[tuple[float, int]] = []
    async with httpx.AsyncClient(timeout=5) as client:
        while not until.is_set():
            try:
                seen.append((time.monotonic(), (await client.get(f"{service.url}/readyz")).status_code))
            except httpx.TransportError:
                seen.append((time.monotonic(), 0))
            await asyncio.sleep(0.3)
    return seen


async def _restart_postgres() -> tuple[float, float]:
    """Stops PostgreSQL for `DOWN_S` and starts it again; returns from when to when it was
    surely down."""
    try:
        await asyncio.to_thread(run_script, "postgres.sh", "stop")
        down = time.monotonic()
        await asyncio.sleep(DOWN_S)
    finally:
        starting = time.monotonic()
        await asyncio.to_thread(run_script, "postgres.sh", "start")
    return down, starting


async def _count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM reports"))
    finally:
        await conn.close()


async def test_the_aggregator_rides_out_postgresql_restarts(
    shared_settings: SharedSettings, db: asyncpg.Connection, database_url: str, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        done = asyncio.Event()
        streaming = asyncio.ensure_future(_stream(shared_settings, done))
        watching = asyncio.ensure_future(_readiness(service, done))
        outages = []
        try:
            for _ in range(RESTARTS):
                await asyncio.sleep(2)  # writes under way when it goes
                outages.append(await _restart_postgres())
            await asyncio.sleep(2)
        finally:
            done.set()
        sent = await streaming
        deadline = time.monotonic() + 90
        while (landed := await _count(database_url)) < sent:
            assert service.process.poll() is None, f"the worker exited:\n{service.log_tail()}"
            assert time.monotonic() < deadline, f"{landed} of {sent} reports landed\n{service.log_tail()}"
            await asyncio.sleep(0.5)
        ready_after = service.wait_ready(60).status_code
        seen = await watching
        log = service.log.read_text()

    assert landed == sent
    assert "Crashed" not in log
    for down, back in outages:
        # Not ready while down (after its first second: a check under way may still pass).
        during = [status for at, status in seen if down + 1 <= at <= back]
        assert during, seen
        assert all(status == 503 for status in during), seen
    assert ready_after == 200
