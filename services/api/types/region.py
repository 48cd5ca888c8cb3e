"""Region and its roll-up (public)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import asyncpg
import orjson
import strawberry
from strawberry.scalars import JSON

from services.api.context import Info
from services.common import events as ev


@strawberry.type(description="A region's (or the nation's) roll-up of its stations' latest stats.")
class RegionStats:
    stations_total: int
    stations_reporting: int
    stations_silent: int
    registered_voters: int
    ballots_issued: int
    turnout_pct: float
    turnout_rate_pp_per_hour: float
    home_voting_pct: float
    incidents_per_100_stations: float
    incidents_total: JSON
    open_alerts: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> RegionStats:
        values: dict[str, Any] = {name: row[name] for name in _FIELDS}
        values["incidents_total"] = _json(row["incidents_total"])
        return cls(**values)

    @classmethod
    def from_event(cls, stats: ev.RegionStats) -> RegionStats:
        values: dict[str, Any] = {name: getattr(stats, name) for name in _FIELDS}
        values["incidents_total"] = dict(stats.incidents_total)
        return cls(**values)


_FIELDS = (
    "stations_total",
    "stations_reporting",
    "stations_silent",
    "registered_voters",
    "ballots_issued",
    "turnout_pct",
    "turnout_rate_pp_per_hour",
    "home_voting_pct",
    "incidents_per_100_stations",
    "incidents_total",
    "open_alerts",
    "updated_at",
)


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


@strawberry.type(description="A region of the station registry.")
class Region:
    id: strawberry.ID
    _row: strawberry.Private[asyncpg.Record | None] = None
    _live: strawberry.Private[ev.RegionStats | None] = None

    async def _registry(self, info: Info) -> asyncpg.Record | None:
        if self._row is None:
            self._row = await info.context.loaders.region.load(str(self.id))
        return self._row

    @strawberry.field
    async def name(self, info: Info) -> str:
        row = await self._registry(info)
        return "" if row is None else str(row["name"])

    @strawberry.field(description="region or city")
    async def kind(self, info: Info) -> str:
        row = await self._registry(info)
        return "region" if row is None else str(row["kind"])

    @strawberry.field(description="Number of polling stations in the region.")
    async def station_count(self, info: Info) -> int:
        row = await self._registry(info)
        return 0 if row is None else int(row["stations"])

    @strawberry.field(
        deprecation_reason="Use stationCount.", description="Number of stations (the foundation's name)."
    )
    async def stations(self, info: Info) -> int:
        row = await self._registry(info)
        return 0 if row is None else int(row["stations"])

    @strawberry.field(
        description="The latest roll-up, null before the aggregator wrote one.",
        graphql_type=RegionStats | None,
    )
    def stats(self, info: Info) -> RegionStats | Awaitable[RegionStats | None] | None:
        # Synchronous from a live update (the subscription path), else read from the database.
        if self._live is not None:
            return RegionStats.from_event(self._live)
        return self._stored_stats(info)

    async def _stored_stats(self, info: Info) -> RegionStats | None:
        row = await info.context.loaders.region_stats.load(str(self.id))
        return None if row is None else RegionStats.from_row(row)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Region:
        return cls(id=strawberry.ID(row["id"]), _row=row)
