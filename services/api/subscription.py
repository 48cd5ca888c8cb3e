"""The Subscription root: live updates from the hub, current state first, each numbered.

Each resolver checks its arguments and the key's access, then runs the one live loop,
`live.stream`, with its hub channel and how a delivery becomes its event (the path from the
hub to the socket is drawn in `services/api/live/__init__.py`). Before every message the
caller's key is checked again (cached briefly), so a revoked key ends its open subscriptions
on their next message. A subscription the API cannot serve (the Kafka feed is not live, an
alert subscriber overflowed) ends with a graphql-transport-ws `error` message, which graphql-ws
clients surface as an error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from services.api.auth import Role
from services.api.context import Info
from services.api.errors import InvalidArgumentError
from services.api.findings import FindingsFigures
from services.api.findings_live import FindingsChannel, FindingsSubscription, LiveFindings
from services.api.live.hub import AlertSubscription, ConflatedSubscription, Delivery
from services.api.live.stream import stream
from services.api.scoped_overview import combine
from services.api.types.alert import Alert
from services.api.types.enums import Severity
from services.api.types.findings import FindingsUpdate, RegionFindings
from services.api.types.overview import AlertCounts, Overview
from services.api.types.region import Region, RegionStats
from services.api.types.review import ReviewItem
from services.api.types.station import Station
from services.api.types.updates import (
    AlertEvent,
    OverviewUpdate,
    RegionUpdate,
    ReviewUpdate,
    StationUpdate,
)
from services.common.checklist_config import load_checklists
from services.common.contracts import events as ev

MAX_IDS = 1000
# A findings subscriber recounts a changed region from its stations: at most this often.
FINDINGS_PACE_SECONDS = 0.5


def _station_update(d: Delivery[ev.StationStats]) -> StationUpdate:
    station = Station(id=strawberry.ID(d.value.station_id), _live=d.value)
    return StationUpdate(seq=d.seq, revision=d.revision, station=station)


def _region_update(d: Delivery[ev.RegionStats]) -> RegionUpdate:
    region = Region(id=strawberry.ID(d.value.region_id), _live=d.value)
    return RegionUpdate(seq=d.seq, revision=d.revision, region=region)


def _alert_event(d: Delivery[ev.Alert]) -> AlertEvent:
    alert = d.value
    return AlertEvent(
        seq=d.seq, revision=d.revision, transition=alert.transition, alert=Alert.from_event(alert)
    )


def _findings_update(d: Delivery[FindingsFigures]) -> FindingsUpdate:
    return FindingsUpdate(
        seq=d.seq, revision=d.revision, findings=RegionFindings.from_figures(d.value), figures=d.value
    )


def _review_update(d: Delivery[ReviewItem]) -> ReviewUpdate:
    return ReviewUpdate(seq=d.seq, revision=d.revision, item=d.value)


def _ids(ids: list[strawberry.ID] | None) -> list[str] | None:
    if ids is not None and not 1 <= len(ids) <= MAX_IDS:
        raise InvalidArgumentError(f"ids: give between 1 and {MAX_IDS}", argument="ids")
    return None if ids is None else [str(i) for i in ids]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Station stats as they change (partner and above): by ids, by region, or all."
    )
    async def station_updated(
        self, info: Info, ids: list[strawberry.ID] | None = None, region: strawberry.ID | None = None
    ) -> AsyncGenerator[StationUpdate, None]:
        ctx = info.context
        ctx.require(Role.PARTNER, "stationUpdated")
        if region is not None:
            ctx.require_region(str(region), "stationUpdated")
        keys = _ids(ids)
        group = None if region is None else str(region)
        channel = ctx.hub.stations

        def subscribe() -> ConflatedSubscription[ev.StationStats]:
            return channel.subscribe(keys=keys, group=group, within=ctx.principal.regions)

        async with aclosing(stream(info, "stationUpdated", channel, subscribe, _station_update)) as updates:
            async for update in updates:
                yield update

    @strawberry.subscription(description="Regions' roll-ups as they change: by ids, or all regions.")
    async def region_updated(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[RegionUpdate, None]:
        ctx = info.context
        keys = _ids(ids)
        channel = ctx.hub.regions

        def subscribe() -> ConflatedSubscription[ev.RegionStats]:
            return channel.subscribe(keys=keys, within=ctx.principal.regions)

        async with aclosing(stream(info, "regionUpdated", channel, subscribe, _region_update)) as updates:
            async for update in updates:
                yield update

    @strawberry.subscription(
        description=(
            "The nationwide overview as it changes; for a region-scoped key, its regions' "
            "combined figures, as they change."
        )
    )
    async def overview_updated(self, info: Info) -> AsyncGenerator[OverviewUpdate, None]:
        ctx = info.context
        scope = ctx.principal.regions
        # A scoped key follows its regions (each change re-combines them), never the nation.
        channel = ctx.hub.national if scope is None else ctx.hub.regions

        def subscribe() -> ConflatedSubscription[ev.RegionStats]:
            return channel.subscribe(keys=[ev.NATIONAL] if scope is None else sorted(scope))

        def overview_update(d: Delivery[ev.RegionStats]) -> OverviewUpdate:
            alerts = ctx.hub.alerts.open_alerts()
            if scope is None:
                national: ev.RegionStats | None = d.value
            else:
                national = combine([s for r in sorted(scope) if (s := ctx.hub.regions.latest(r)) is not None])
                alerts = [a for a in alerts if a.region_id in scope]
            overview = Overview(
                national=None if national is None else RegionStats.from_event(national),
                open_alerts=AlertCounts.from_alerts(alerts),
            )
            return OverviewUpdate(seq=d.seq, revision=d.revision, overview=overview)

        async with aclosing(stream(info, "overviewUpdated", channel, subscribe, overview_update)) as updates:
            async for update in updates:
                yield update

    @strawberry.subscription(
        description=(
            "Alert transitions at or above minSeverity (partner and above): open alerts first, then "
            "every change. A subscriber too far behind is ended with SUBSCRIBER_OVERFLOW: re-query "
            "alerts(since:) and subscribe again."
        )
    )
    async def alert_raised(
        self,
        info: Info,
        min_severity: Severity = ev.Severity.INFO,  # type: ignore[valid-type]
        region: strawberry.ID | None = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        ctx = info.context
        ctx.require(Role.PARTNER, "alertRaised")
        if region is not None:
            ctx.require_region(str(region), "alertRaised")
        channel = ctx.hub.alerts

        def subscribe() -> AlertSubscription:
            return channel.subscribe(
                ev.Severity(min_severity),
                None if region is None else str(region),
                ctx.settings.alert_queue_size,
                within=ctx.principal.regions,
            )

        async with aclosing(stream(info, "alertRaised", channel, subscribe, _alert_event)) as events:
            async for event in events:
                yield event

    @strawberry.subscription(
        description=(
            "Findings as they change (every role, like region figures): each changed region's, "
            "then the national figures (a region-scoped key: its regions together) with regionId "
            "null; every followed region first. `region:` follows one region (no national row)."
        )
    )
    async def findings_updated(
        self, info: Info, region: strawberry.ID | None = None
    ) -> AsyncGenerator[FindingsUpdate, None]:
        ctx = info.context
        if region is not None:
            ctx.require_region(str(region), "findingsUpdated")
        one = None if region is None else str(region)
        scope = ctx.principal.regions

        def subscribe() -> FindingsSubscription:
            live = LiveFindings(ctx.hub, load_checklists(), scope, one)
            stations = ctx.hub.stations.subscribe(group=one, within=scope)
            return FindingsSubscription(stations, live, FINDINGS_PACE_SECONDS)

        channel = FindingsChannel(ctx.hub.stations)
        async with aclosing(stream(info, "findingsUpdated", channel, subscribe, _findings_update)) as updates:
            async for update in updates:
                yield update

    @strawberry.subscription(
        description=(
            "Review items as coordinators claim them, record call-backs and decide them (coordinator "
            "and above, within the key's regions; `region:` one of them): each item's state after the "
            "change, whatever it is. Changes only: read reviewQueue first."
        )
    )
    async def review_updated(
        self, info: Info, region: strawberry.ID | None = None
    ) -> AsyncGenerator[ReviewUpdate, None]:
        ctx = info.context
        ctx.require(Role.COORDINATOR, "reviewUpdated")
        if region is not None:
            ctx.require_region(str(region), "reviewUpdated")
        channel = ctx.review

        def subscribe() -> ConflatedSubscription[ReviewItem]:
            return channel.subscribe(None if region is None else str(region), ctx.principal.regions)

        async with aclosing(stream(info, "reviewUpdated", channel, subscribe, _review_update)) as updates:
            async for update in updates:
                yield update
