"""The Query root: every read, each checking the caller's role before touching data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import strawberry

from services.api.alert_notify import alert_deliveries_field, alert_subscriptions_field
from services.api.arguments import instant
from services.api.audit_query import audit_log_field
from services.api.auth import Role
from services.api.context import Info
from services.api.errors import InvalidArgumentError, NotFoundError
from services.api.findings import checklist_filter, figures, violation_filter
from services.api.findings import combine as combine_counts
from services.api.forensics_query import forensics_field
from services.api.pagination import Cursor, decode_cursor, page_size
from services.api.region_turnout import region_turnout
from services.api.repository import alerts as alert_sql
from services.api.repository import findings as findings_sql
from services.api.repository import regions as region_sql
from services.api.repository import reports as report_sql
from services.api.repository import stations as station_sql
from services.api.repository.stations import StationOrder, StationStatus
from services.api.review import review_queue_field
from services.api.scoped_overview import combine, region_stats_from_row
from services.api.types.alert import Alert
from services.api.types.catalog import message_catalog_field
from services.api.types.enums import AlertState, ReportKind, Severity, StationOrderEnum, StationStatusEnum
from services.api.types.findings import Findings, RegionFindings
from services.api.types.overview import AlertCounts, Overview
from services.api.types.pagination import Connection, PageInfo
from services.api.types.region import Region, RegionStats, zone_of
from services.api.types.report import Report
from services.api.types.series import TurnoutPoint
from services.api.types.station import Station
from services.common.checklist_config import load_checklists
from services.common.contracts import events as ev

# `verifiedOnly: true` on a list: only what a coordinator verified.
VERIFIED = (ev.VerificationState.VERIFIED.value,)


def _size(info: Info, first: int | None) -> int:
    s = info.context.settings
    return page_size(first, s.page_default, s.page_max)


@strawberry.type
class Query:
    forensics = forensics_field
    audit_log = audit_log_field
    review_queue = review_queue_field
    message_catalog = message_catalog_field
    alert_subscriptions = alert_subscriptions_field
    alert_deliveries = alert_deliveries_field

    @strawberry.field(description="One station by id (partner and above); null if unknown.")
    async def station(self, info: Info, id: strawberry.ID) -> Station | None:
        info.context.require(Role.PARTNER, "station")
        row = await info.context.loaders.station.load(str(id))
        if row is not None:
            info.context.require_region(row["region_id"], "station")
        return None if row is None else Station.from_row(row)

    @strawberry.field(
        description=(
            "Stations in keyset pages (partner and above). `violation` (a findings violation code) "
            'and `checklistNo` ("<phase>.<question>") keep the stations a findings cell counts: '
            "where it was reported, where the latest answer is no."
        )
    )
    async def stations(
        self,
        info: Info,
        region: strawberry.ID | None = None,
        status: StationStatusEnum | None = None,  # type: ignore[valid-type]
        has_open_alerts: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: StationOrderEnum = StationOrder.ID,  # type: ignore[valid-type]
        violation: str | None = None,
        checklist_no: str | None = None,
    ) -> Connection[Station]:
        info.context.require(Role.PARTNER, "stations")
        if region is not None:
            info.context.require_region(str(region), "stations")
        violation_name = None if violation is None else violation_filter(violation)
        question = None if checklist_no is None else checklist_filter(checklist_no, load_checklists())
        order = StationOrder(order_by)
        limit = _size(info, first)
        rows = await station_sql.page_stations(
            info.context.pool,
            region=None if region is None else str(region),
            regions=info.context.region_scope,
            status=None if status is None else StationStatus(status),
            has_open_alerts=has_open_alerts,
            order=order,
            violation=violation_name,
            checklist_no=question,
            after=decode_cursor(after, order.value),
            limit=limit,
        )
        page = rows[:limit]
        end = None
        if page:
            end = Cursor(order.value, station_sql.sort_value(order, page[-1]), page[-1]["id"]).encode()
        return Connection(
            nodes=[Station.from_row(r) for r in page],
            page_info=PageInfo(end_cursor=end, has_next_page=len(rows) > limit),
        )

    @strawberry.field(description="One region; null if unknown.")
    async def region(self, info: Info, id: strawberry.ID) -> Region | None:
        info.context.require_region(str(id), "region")
        row = await info.context.loaders.region.load(str(id))
        return None if row is None else Region.from_row(row)

    @strawberry.field(description="Every region of the registry (a region-scoped key: its regions).")
    async def regions(self, info: Info) -> list[Region]:
        rows = await region_sql.all_regions(info.context.pool)
        return [Region.from_row(r) for r in rows if info.context.principal.may_read_region(r["id"])]

    @strawberry.field(
        description=(
            "Nationwide turnout, reporting and silent stations, open alerts; for a region-scoped "
            "key, the same figures over its regions only."
        )
    )
    async def overview(self, info: Info) -> Overview:
        ctx = info.context
        scope = ctx.region_scope
        counts = await region_sql.open_alerts_by_severity(ctx.pool, scope)
        if scope is None:
            national = await ctx.loaders.region_stats.load(ev.NATIONAL)
            stats = None if national is None else RegionStats.from_row(national)
        else:
            rows = await ctx.loaders.region_stats.load_many(scope)
            combined = combine([region_stats_from_row(r) for r in rows if r is not None])
            stats = None if combined is None else RegionStats.from_event(combined)
        return Overview(national=stats, open_alerts=AlertCounts.from_counts(counts))

    @strawberry.field(
        description=(
            "Observer findings per region and nationally: stations observed, and per violation type "
            "and checklist question the stations concerned and their share of the observed. A "
            "region-scoped key sees its regions, and their sum as `national`; `region:` narrows "
            "to one region."
        )
    )
    async def findings(self, info: Info, region: strawberry.ID | None = None) -> Findings:
        ctx = info.context
        scope = ctx.region_scope
        if region is not None:
            ctx.require_region(str(region), "findings")
            scope = [str(region)]
        counts = await findings_sql.region_counts(ctx.pool, scope)
        questions = load_checklists()
        regions = [figures(r, counts[r], questions) for r in sorted(counts)]
        national = figures(ev.NATIONAL, combine_counts(counts.values()), questions)
        return Findings(
            national=RegionFindings.from_figures(national),
            regions=[RegionFindings.from_figures(f) for f in regions],
        )

    @strawberry.field(
        description="Alerts, most recently changed first (partner and above). `verifiedOnly`: only "
        "alerts a coordinator verified (a key set to verified only reads no others anyway)."
    )
    async def alerts(
        self,
        info: Info,
        state: AlertState | None = None,  # type: ignore[valid-type]
        severity: Severity | None = None,  # type: ignore[valid-type]
        rule: str | None = None,
        region: strawberry.ID | None = None,
        station: strawberry.ID | None = None,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
        verified_only: bool = False,
    ) -> Connection[Alert]:
        info.context.require(Role.PARTNER, "alerts")
        if region is not None:
            info.context.require_region(str(region), "alerts")
        limit = _size(info, first)
        rows = await alert_sql.page_alerts(
            info.context.pool,
            state=None if state is None else ev.AlertState(state).value,
            severity=None if severity is None else ev.Severity(severity).value,
            rule=rule,
            region=None if region is None else str(region),
            regions=info.context.region_scope,
            station=None if station is None else str(station),
            since=instant(since, "since"),
            after=decode_cursor(after, "alerts"),
            limit=limit,
            verifications=VERIFIED if verified_only else info.context.principal.visible_verifications,
        )
        page = rows[:limit]
        end = Cursor("alerts", page[-1]["updated_at"].isoformat(), page[-1]["id"]).encode() if page else None
        return Connection(
            nodes=[Alert.from_row(r) for r in page],
            page_info=PageInfo(end_cursor=end, has_next_page=len(rows) > limit),
        )

    @strawberry.field(
        description="Monitors' reports, newest first (analyst and above). `verifiedOnly`: only "
        "reports a coordinator verified."
    )
    async def reports(
        self,
        info: Info,
        station: strawberry.ID | None = None,
        kind: ReportKind | None = None,  # type: ignore[valid-type]
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
        verified_only: bool = False,
    ) -> Connection[Report]:
        info.context.require(Role.ANALYST, "reports")
        limit = _size(info, first)
        rows = await report_sql.page_reports(
            info.context.pool,
            station=None if station is None else str(station),
            regions=info.context.region_scope,
            kind=None if kind is None else ev.ReportKind(kind).value,
            since=instant(since, "since"),
            after=decode_cursor(after, "reports"),
            limit=limit,
            verifications=VERIFIED if verified_only else None,
        )
        page = rows[:limit]
        end = (
            Cursor("reports", page[-1]["observed_at"].isoformat(), page[-1]["id"]).encode() if page else None
        )
        return Connection(
            nodes=[Report.from_row(r) for r in page],
            page_info=PageInfo(end_cursor=end, has_next_page=len(rows) > limit),
        )

    @strawberry.field(
        description="Cumulative turnout per time bucket for one station (partner and above) or "
        "region, bucketed on the local clock of its time zone (Region.timezone): `at` is a "
        "bucket's start in that zone's local time, with its offset."
    )
    async def turnout_series(
        self,
        info: Info,
        station: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        bucket_minutes: int = 15,
    ) -> list[TurnoutPoint]:
        if (station is None) == (region is None):
            raise InvalidArgumentError("give exactly one of station and region", argument="station")
        if not 1 <= bucket_minutes <= 24 * 60:
            raise InvalidArgumentError("bucketMinutes must be between 1 and 1440", argument="bucketMinutes")
        ctx = info.context
        pool, seconds, default = ctx.pool, bucket_minutes * 60, ctx.settings.default_timezone
        if station is not None:
            ctx.require(Role.PARTNER, "turnoutSeries(station)")
            station_row = await ctx.loaders.station.load(str(station))
            zone = default
            if station_row is not None:
                ctx.require_region(station_row["region_id"], "turnoutSeries(station)")
                zone = zone_of(await ctx.loaders.region.load(station_row["region_id"]), default)
            rows = await station_sql.station_series(pool, str(station), seconds, zone)
            local = ZoneInfo(zone)
            return [
                TurnoutPoint(
                    at=r["bucket"].astimezone(local),
                    ballots_issued=r["ballots_issued"],
                    turnout_pct=r["turnout_pct"],
                )
                for r in rows
            ]
        ctx.require_region(str(region), "turnoutSeries(region)")
        region_row = await ctx.loaders.region.load(str(region))
        if region_row is None:
            raise NotFoundError(f"no region {region}", argument="region")
        zone = zone_of(region_row, default)
        rows = await station_sql.region_series(pool, str(region), seconds, zone)
        points = region_turnout(
            ((r["station_id"], r["bucket"], r["ballots_issued"]) for r in rows),
            int(region_row["registered_voters"]),
        )
        local = ZoneInfo(zone)
        return [
            TurnoutPoint(at=at.astimezone(local), ballots_issued=b, turnout_pct=pct) for at, b, pct in points
        ]

    @strawberry.field(
        description="The election's IANA time zone: regions the registry gives none are in it, and "
        "national figures read in it (API_DEFAULT_TIMEZONE, the aggregator's polls zone)."
    )
    def default_timezone(self, info: Info) -> str:
        return info.context.settings.default_timezone
