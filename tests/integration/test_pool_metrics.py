from __future__ import annotations

import asyncpg
from prometheus_client import CollectorRegistry

from services.common.infra.pool_metrics import IN_USE, MAXIMUM, register_pool_metrics


async def test_pool_gauges_follow_checked_out_connections(database_url: str) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    registry = CollectorRegistry()
    current: list[asyncpg.Pool] = []
    register_pool_metrics(registry, lambda: current[0] if current else None)
    assert registry.get_sample_value(MAXIMUM) == 0  # no pool yet
    current.append(pool)
    try:
        assert registry.get_sample_value(MAXIMUM) == 4
        assert registry.get_sample_value(IN_USE) == 0
        async with pool.acquire(), pool.acquire():
            assert registry.get_sample_value(IN_USE) == 2
        assert registry.get_sample_value(IN_USE) == 0
    finally:
        await pool.close()
