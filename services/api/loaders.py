"""Per-request DataLoaders: one batched query per kind of lookup, whatever the query's shape."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from services.api.repository import alerts, regions, reports, stations

T = TypeVar("T")

INCIDENTS_PER_STATION = 20


def _one(
    fetch: Callable[[asyncpg.Pool, Sequence[str]], Awaitable[list[asyncpg.Record]]],
    pool: asyncpg.Pool,
    column: str,
) -> Callable[[list[str]], Awaitable[list[asyncpg.Record | None]]]:
    async def load(ids: list[str]) -> list[asyncpg.Record | None]:
        rows = {r[column]: r for r in await fetch(pool, ids)}
        return [rows.get(i) for i in ids]

    return load


def _many(
    fetch: Callable[[list[str]], Awaitable[list[asyncpg.Record]]], column: str
) -> Callable[[list[str]], Awaitable[list[list[asyncpg.Record]]]]:
    async def load(ids: list[str]) -> list[list[asyncpg.Record]]:
        grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in await fetch(ids):
            grouped[row[column]].append(row)
        return [grouped.get(i, []) for i in ids]

    return load


@dataclass(frozen=True)
class Loaders:
    station: DataLoader[str, asyncpg.Record | None]
    region: DataLoader[str, asyncpg.Record | None]
    region_stats: DataLoader[str, asyncpg.Record | None]
    monitors_by_station: DataLoader[str, list[asyncpg.Record]]
    monitor: DataLoader[str, asyncpg.Record | None]
    alert_actions: DataLoader[str, list[asyncpg.Record]]
    incidents_by_station: DataLoader[str, list[asyncpg.Record]]


def create_loaders(pool: asyncpg.Pool, cache: bool = True) -> Loaders:
    """`cache=False` for long-lived WebSocket contexts, which must not see stale rows."""

    def loader(fn: Callable[[list[str]], Awaitable[list[T]]]) -> DataLoader[str, T]:
        return DataLoader(load_fn=fn, cache=cache)

    return Loaders(
        station=loader(_one(stations.stations_by_ids, pool, "id")),
        region=loader(_one(regions.regions_by_ids, pool, "id")),
        region_stats=loader(_one(regions.region_stats_by_ids, pool, "region_id")),
        monitors_by_station=loader(
            _many(lambda ids: stations.monitors_by_station_ids(pool, ids), "station_id")
        ),
        monitor=loader(_one(stations.monitors_by_ids, pool, "id")),
        alert_actions=loader(_many(lambda ids: alerts.actions_by_alert_ids(pool, ids), "alert_id")),
        incidents_by_station=loader(
            _many(
                lambda ids: reports.incidents_by_station_ids(pool, ids, INCIDENTS_PER_STATION), "station_id"
            )
        ),
    )
