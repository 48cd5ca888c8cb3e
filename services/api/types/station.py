"""Station, its latest stats and its incidents (partner and above); monitors (analyst only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
import orjson
import strawberry
from strawberry.scalars import JSON

from services.api.auth import Role
from services.api.context import Info
from services.api.repository import reports as report_sql
from services.api.repository.stations import StationStatus
from services.api.types.catalog import Lang
from services.api.types.enums import StationStatusEnum
from services.api.types.monitor import Monitor
from services.api.types.protocol_version import ProtocolVersion, versions
from services.api.types.region import Region, zone_of
from services.common import catalog
from services.common.contracts import events as ev

T = TypeVar("T")
PROTOCOL_VERSIONS = 10


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


@strawberry.type(
    description=(
        "A station's latest figures, as of its newest report (event time). The percentages are of "
        "registeredVoters: turnoutPct = 100 * ballotsIssued / registeredVoters."
    )
)
class StationStats:
    registered_voters: int = strawberry.field(
        description="The registry's registered voters (the final protocol's when the registry has none)."
    )
    ballots_issued: int = strawberry.field(
        description="Ballots issued so far, from the latest turnout report."
    )
    turnout_pct: float = strawberry.field(
        description="100 * ballotsIssued / registeredVoters, rounded to 4 decimals; 0 without voters."
    )
    turnout_rate_pp_per_hour: float = strawberry.field(
        description="How fast turnout rose over the last hour (rules.yaml windows.rate_minutes), in points/h."
    )
    home_voting_applications: int = strawberry.field(
        description="Home-voting (mobile ballot box) applications, from the latest turnout report."
    )
    home_voting_pct: float = strawberry.field(
        description=(
            "100 * homeVotingApplications / registeredVoters: applications per 100 registered voters "
            "(not a share of ballots issued), as the home_voting alert measures it."
        )
    )
    incidents_total: JSON = strawberry.field(description="Incident reports by violation type, all day.")
    incidents_recent: JSON = strawberry.field(
        description="Incident reports by violation type in the last hour (windows.incidents_recent_minutes)."
    )
    last_report_at: datetime | None = strawberry.field(description="When the newest report was observed.")
    open_alerts: int = strawberry.field(description="Open alerts of this station.")
    protocol: JSON | None = strawberry.field(
        description="The final protocol's figures and the inconsistencies found in it; null before it."
    )
    reports_processed: int = strawberry.field(description="Reports of this station the aggregator counted.")
    silent: bool = strawberry.field(description="An open silent_station alert: reports stopped.")
    updated_at: datetime = strawberry.field(description="The newest report's time (event time).")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> StationStats:
        return cls(
            registered_voters=row["registered_voters"],
            ballots_issued=row["ballots_issued"],
            turnout_pct=row["turnout_pct"],
            turnout_rate_pp_per_hour=row["turnout_rate_pp_per_hour"],
            home_voting_applications=row["home_voting_applications"],
            home_voting_pct=row["home_voting_pct"],
            incidents_total=_json(row["incidents_total"]),
            incidents_recent=_json(row["incidents_recent"]),
            last_report_at=row["last_report_at"],
            open_alerts=row["open_alerts"],
            protocol=_json(row["protocol"]),
            reports_processed=row["reports_processed"],
            silent=row["silent"],
            updated_at=row["stats_updated_at"],
        )

    @classmethod
    def from_event(cls, s: ev.StationStats) -> StationStats:
        protocol = None
        if s.protocol is not None:
            p = s.protocol
            protocol = {
                "registered_voters": p.registered_voters,
                "ballots_issued": p.ballots_issued,
                "ballots_cast": p.ballots_cast,
                "valid_ballots": p.valid_ballots,
                "invalid_ballots": p.invalid_ballots,
                "votes": dict(p.votes),
                "copy_received": p.copy_received,
                "inconsistencies": list(p.inconsistencies),
            }
        return cls(
            registered_voters=s.registered_voters,
            ballots_issued=s.ballots_issued,
            turnout_pct=s.turnout_pct,
            turnout_rate_pp_per_hour=s.turnout_rate_pp_per_hour,
            home_voting_applications=s.home_voting_applications,
            home_voting_pct=s.home_voting_pct,
            incidents_total=JSON(dict(s.incidents_total)),
            incidents_recent=JSON(dict(s.incidents_recent)),
            last_report_at=s.last_report_at,
            open_alerts=s.open_alerts,
            protocol=None if protocol is None else JSON(protocol),
            reports_processed=s.reports_processed,
            silent=s.silent,
            updated_at=s.updated_at,
        )


@strawberry.type(description="An incident at a station, without who reported it.")
class Incident:
    report_id: strawberry.ID
    violation: str
    observed_at: datetime
    _body: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="Free text: analysts, and partners whose key's scope allows it.")
    def description(self, info: Info) -> str:
        if not info.context.principal.may_read_incident_texts:
            info.context.require(Role.ANALYST, "Incident.description")
        return str(self._body.get("description", ""))

    @strawberry.field(description="The violation type's name in `lang` (`violation` is its code).")
    def violation_name(self, lang: Lang) -> str:  # type: ignore[valid-type]
        return catalog.text("violation", self.violation, lang)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Incident:
        body = _json(row["body"]) or {}
        return cls(
            report_id=strawberry.ID(row["id"]),
            violation=str(body.get("violation", "other")),
            observed_at=row["observed_at"],
            _body=body,
        )


def _float(row: asyncpg.Record | None, column: str) -> float | None:
    value = None if row is None else row[column]
    return None if value is None else float(value)


def _status(silent: bool, last_report_at: datetime | None) -> StationStatus:
    if silent:
        return StationStatus.SILENT
    return StationStatus.NO_DATA if last_report_at is None else StationStatus.REPORTING


@strawberry.type(description="A polling station (station-level data: partner role and above).")
class Station:
    id: strawberry.ID
    _row: strawberry.Private[asyncpg.Record | None] = None
    _live: strawberry.Private[ev.StationStats | None] = None

    async def _registry(self, info: Info) -> asyncpg.Record | None:
        if self._row is None:
            self._row = await info.context.loaders.station.load(str(self.id))
        return self._row

    def _with_row(self, info: Info, convert: Callable[[asyncpg.Record | None], T]) -> T | Awaitable[T]:
        """`convert(row)` now when the row is at hand (a page of stations), else once loaded."""
        if self._row is not None:
            return convert(self._row)
        return self._from_registry(info, convert)

    async def _from_registry(self, info: Info, convert: Callable[[asyncpg.Record | None], T]) -> T:
        return convert(await self._registry(info))

    @strawberry.field(graphql_type=str)
    def name(self, info: Info) -> str | Awaitable[str]:
        return self._with_row(info, lambda row: str(row["name"] or "") if row else "")

    @strawberry.field(graphql_type=str)
    def district(self, info: Info) -> str | Awaitable[str]:
        return self._with_row(info, lambda row: str(row["district"] or "") if row else "")

    # The fields a live update carries answer synchronously from it (no coroutine per field on
    # the subscription path); otherwise they return an awaitable that reads the registry.
    @strawberry.field(graphql_type=strawberry.ID)
    def region_id(self, info: Info) -> strawberry.ID | Awaitable[strawberry.ID]:
        if self._live is not None:
            return strawberry.ID(self._live.region_id)
        return self._with_row(info, lambda row: strawberry.ID(str(row["region_id"] if row else "")))

    @strawberry.field(graphql_type=Region)
    def region(self, info: Info) -> Region | Awaitable[Region]:
        if self._live is not None:
            return Region(id=strawberry.ID(self._live.region_id))
        return self._with_row(
            info, lambda row: Region(id=strawberry.ID(str(row["region_id"] if row else "")))
        )

    @strawberry.field(description="The station's IANA time zone: its region's (Region.timezone).")
    async def timezone(self, info: Info) -> str:
        if self._live is not None:
            region_id = self._live.region_id
        else:
            row = await self._registry(info)
            region_id = "" if row is None else str(row["region_id"])
        region = await info.context.loaders.region.load(region_id)
        return zone_of(region, info.context.settings.default_timezone)

    @strawberry.field(graphql_type=int, description="Registered voters, from the station registry.")
    def registered_voters(self, info: Info) -> int | Awaitable[int]:
        return self._with_row(info, lambda row: int(row["registered_voters"] or 0) if row else 0)

    @strawberry.field(graphql_type=float | None, description="WGS 84 degrees; null if the registry has none.")
    def latitude(self, info: Info) -> float | Awaitable[float | None] | None:
        return self._with_row(info, lambda row: _float(row, "latitude"))

    @strawberry.field(graphql_type=float | None, description="WGS 84 degrees; null if the registry has none.")
    def longitude(self, info: Info) -> float | Awaitable[float | None] | None:
        return self._with_row(info, lambda row: _float(row, "longitude"))

    @strawberry.field(
        description="Latest stats; null before the station's first report.", graphql_type=StationStats | None
    )
    def stats(self, info: Info) -> StationStats | Awaitable[StationStats | None] | None:
        if self._live is not None:
            return StationStats.from_event(self._live)
        return self._with_row(
            info,
            lambda row: (
                None if row is None or row["stats_station_id"] is None else StationStats.from_row(row)
            ),
        )

    @strawberry.field(graphql_type=StationStatusEnum)
    def status(self, info: Info) -> StationStatus | Awaitable[StationStatus]:
        if self._live is not None:
            return _status(self._live.silent, self._live.last_report_at)
        return self._with_row(
            info,
            lambda row: (
                StationStatus.NO_DATA
                if row is None or row["stats_station_id"] is None
                else _status(row["silent"], row["last_report_at"])
            ),
        )

    @strawberry.field(
        description="Latest incidents (up to 20), newest first; never who reported them. Below "
        "analyst, of those the ones the key reads: no rejected or quarantined ones, verified ones "
        "only for a key set to verified only."
    )
    async def incidents(self, info: Info) -> list[Incident]:
        info.context.require(Role.PARTNER, "Station.incidents")
        rows = await info.context.loaders.incidents_by_station.load(str(self.id))
        visible = info.context.principal.visible_verifications
        return [Incident.from_row(r) for r in rows if visible is None or r["verification"] in visible]

    @strawberry.field(
        description="Final protocols monitors sent, newest first (up to 10; partner and above): a "
        "correction and the figures it replaced, with who (analyst and above) and when."
    )
    async def protocol_versions(self, info: Info) -> list[ProtocolVersion]:
        info.context.require(Role.PARTNER, "Station.protocolVersions")
        rows = await report_sql.protocols_of_station(info.context.pool, str(self.id), PROTOCOL_VERSIONS)
        visible = info.context.principal.visible_verifications
        shown = [r for r in rows if visible is None or r["verification"] in visible]
        return versions(shown, info.context.principal)

    @strawberry.field(description="Monitors assigned to the station (analyst only).")
    async def monitors(self, info: Info) -> list[Monitor]:
        info.context.require(Role.ANALYST, "Station.monitors")
        rows = await info.context.loaders.monitors_by_station.load(str(self.id))
        return [Monitor.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Station:
        return cls(id=strawberry.ID(row["id"]), _row=row)
