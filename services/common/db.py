"""The asyncpg pool every service opens in its lifespan."""

from __future__ import annotations

import asyncpg

from services.common.settings import SharedSettings


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
