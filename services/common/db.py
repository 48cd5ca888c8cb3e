"""The asyncpg pool every service opens in its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from services.common.settings import SharedSettings, load

T = TypeVar("T")


async def create_pool(shared: SharedSettings) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        shared.database_url.get_secret_value(),
        min_size=shared.db_pool_min,
        max_size=shared.db_pool_max,
        command_timeout=30,
    )
    assert pool is not None  # create_pool only returns None when awaited lazily
    return pool


async def database_reachable(pool: asyncpg.Pool) -> bool:
    try:
        async with pool.acquire(timeout=2) as conn:
            return bool(await conn.fetchval("SELECT true"))
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False


def run_with_connection(action: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """For command-line tools: one connection from the environment's settings, `action`, close."""

    async def run() -> T:
        conn = await asyncpg.connect(load(SharedSettings).database_url.get_secret_value())
        try:
            return await action(conn)
        finally:
            await conn.close()

    return asyncio.run(run())
