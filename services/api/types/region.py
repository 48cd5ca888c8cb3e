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
from services.common.contracts import events as ev


@strawberry.type(
    description=(
        "A region's (or the nation's) roll-up of its stations' latest stats. Turnout, home voting "
        "and the turnout rate are over the stations that reported turnout (a ballot count above "
        "zero, or their final protocol): turnoutPct = 100 * ballotsIssued / "
        "registeredVotersReporting. Once every station has reported, registeredVotersReporting = "
        "registeredVoters."
    )
)
class RegionStats:
    stations_total: int = strawberry.field(description="Polling stations of the region in the registry.")
    stations_reporting: int = strawberry.field(
        description="Stations that sent at least one report and are not silent now."
    )
    stations_silent: int = strawberry.field(
        description="Stations with an open silent_station alert (reports stopped while polls are open)."
    )
    registered_voters: int = strawberry.field(
        description="Registered voters of every station of the region in the registry."
    )
    registered_voters_reporting: int = strawberry.field(
        description=(
            "Registered voters of the stations that reported turnout: the denominator of turnoutPct "
            "and homeVotingPct."
        )
    )
    ballots_issued: int = strawberry.field(
        description="Ballots issued so far, summed over the stations that reported turnout."
    )
    turnout_pct: float = strawberry.field(
        description="100 * ballotsIssued / registeredVotersReporting, rounded to 4 decimals; 0 before any."
    )
    turnout_rate_pp_per_hour: float = strawberry.field(
        description=(
            "The stations' turnoutRatePpPerHour weighted by their registered voters, over the same "
            "stations (percentage points per hour)."
        )
    )
    home_voting_applications: int = strawberry.field(
        description="Home-voting (mobile ballot box) applications, summed over the same stations."
    )
    home_voting_pct: float = strawberry.field(
        description=(
            "100 * homeVotingApplications / registeredVotersReporting: applications per 100 registered "
            "voters (not a share of ballots issued), as the home_voting alert measures it."
        )
    )
    incidents_per_100_stations: float = strawberry.field(
        description="100 * the incidents in incidentsTotal / stationsTotal."
    )
    incidents_total: JSON = strawberry.field(
        description="Incident reports by violation type (e.g. BALLOT_STUFFING), all day."
    )
    open_alerts: int = strawberry.field(
        description="Open alerts of the region's stations plus region-level ones (silence, outliers)."
    )
    updated_at: datetime = strawberry.field(description="When the aggregator computed this roll-up.")

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
    "registered_voters_reporting",
    "ballots_issued",
    "turnout_pct",
    "turnout_rate_pp_per_hour",
    "home_voting_applications",
    "home_voting_pct",
    "incidents_per_100_stations",
    "incidents_total",
    "open_alerts",
    "updated_at",
)


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def zone_of(region_row: asyncpg.Record | None, default: str) -> str:
    """A region's time zone from its registry row, else the election's `default`."""
    zone = None if region_row is None else region_row["timezone"]
    return str(zone) if zone else default


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

    @strawberry.field(
        description="The region's IANA time zone (e.g. Asia/Aqtobe): its polls open and close, its "
        "turnout series is bucketed and its times read in it. The registry's, else the "
        "election's (defaultTimezone)."
    )
    async def timezone(self, info: Info) -> str:
        row = await self._registry(info)
        return zone_of(row, info.context.settings.default_timezone)

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
