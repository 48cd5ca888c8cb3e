"""PostgreSQL pool usage as Prometheus gauges, read from the asyncpg pool at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import asyncpg
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

IN_USE = "pollwatch_db_pool_in_use_connections"
MAXIMUM = "pollwatch_db_pool_max_connections"


class PoolCollector(Collector):
    """Reports the pool the service has open now (none before start-up or after shutdown)."""

    def __init__(self, current_pool: Callable[[], asyncpg.Pool | None]) -> None:
        self._current_pool = current_pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self._current_pool()
        in_use = 0 if pool is None else pool.get_size() - pool.get_idle_size()
        maximum = 0 if pool is None else pool.get_max_size()
        yield GaugeMetricFamily(IN_USE, "PostgreSQL connections checked out of the pool.", value=in_use)
        yield GaugeMetricFamily(MAXIMUM, "Largest size the PostgreSQL pool may grow to.", value=maximum)


def register_pool_metrics(
    registry: CollectorRegistry, current_pool: Callable[[], asyncpg.Pool | None]
) -> None:
    registry.register(PoolCollector(current_pool))
