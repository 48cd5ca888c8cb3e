"""The Subscription root: live updates from the hub, current state first, each numbered.

Before every message the caller's key is checked again (cached briefly), so a revoked key
ends its open subscriptions on their next message. Events whose selection compiled go to the
socket as preformatted frames (`live.frames`); the others are yielded to graphql-core. A
subscription the API cannot serve (the Kafka feed is not live, an alert subscriber overflowed)
ends with a graphql-transport-ws `error` message, which graphql-ws clients surface as an error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

import strawberry

from services.api import metrics
from services.api.auth import Role
from services.api.availability import feed_error
from services.api.context import Context, Info
from services.api.errors import InvalidArgumentError, SubscriberOverflowError
from services.api.live.frames import DirectSender, LiveEvent, end_with_error
from services.api.live.hub import ConflatedSubscription, Delivery, HubClosedError, HubOverflowError
from services.api.scoped_overview import combine
from services.api.types.alert import Alert
from services.api.types.enums import Severity
from services.api.types.overview import AlertCounts, Overview
from services.api.types.region import Region, RegionStats
from services.api.types.station import Station
from services.api.types.updates import AlertEvent, OverviewUpdate, RegionUpdate, StationUpdate
from services.common import events as ev

MAX_IDS = 1000

V = TypeVar("V")


def _send_from_publish(
    ctx: Context,
    direct: DirectSender | None,
    sub: ConflatedSubscription[V],
    update: Callable[[Delivery[V]], LiveEvent],
) -> None:
    """Lets the hub's publish write this subscriber's frames itself while its socket keeps up.

    Whatever it declines (a socket backed up, a key to re-check, a selection graphql-core
    must execute) is queued and goes through the subscription's loop below as before.
    """
    if direct is not None and direct.can_send_now:
        sub.sink = lambda d: ctx.key_known_active() and direct.send_now(update(d))


async def _require_feed(ctx: Context) -> None:
    """Refuses a new subscription while the Kafka feed is not live: it would get stale values."""
    if not ctx.feed_live():
        metrics.UNAVAILABLE.labels("kafka").inc()
        error = feed_error()
        await end_with_error(error)
        raise error


def _station_update(d: Delivery[ev.StationStats]) -> StationUpdate:
    station = Station(id=strawberry.ID(d.value.station_id), _live=d.value)
    return StationUpdate(seq=d.seq, revision=d.revision, station=station)


def _region_update(d: Delivery[ev.RegionStats]) -> RegionUpdate:
    region = Region(id=strawberry.ID(d.value.region_id), _live=d.value)
    return RegionUpdate(seq=d.seq, revision=d.revision, region=region)


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
        await _require_feed(ctx)
        direct = DirectSender.for_subscription(info)
        sub = ctx.hub.stations.subscribe(
            keys=keys, group=None if region is None else str(region), within=ctx.principal.regions
        )
        _send_from_publish(ctx, direct, sub, _station_update)
        metrics.SUBSCRIPTIONS_ACTIVE.labels("stationUpdated").inc()
        try:
            while True:
                d = await sub.get()
                if not ctx.key_known_active():
                    await ctx.ensure_key_active()
                update = _station_update(d)
                if direct is None or not await direct.send(update):
                    metrics.LIVE_GRAPHQL.inc()
                    yield update
        except HubClosedError:
            return
        finally:
            ctx.hub.stations.unsubscribe(sub)
            metrics.SUBSCRIPTIONS_ACTIVE.labels("stationUpdated").dec()

    @strawberry.subscription(description="Regions' roll-ups as they change: by ids, or all regions.")
    async def region_updated(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[RegionUpdate, None]:
        ctx = info.context
        keys = _ids(ids)
        await _require_feed(ctx)
        direct = DirectSender.for_subscription(info)
        sub = ctx.hub.regions.subscribe(keys=keys, within=ctx.principal.regions)
        _send_from_publish(ctx, direct, sub, _region_update)
        metrics.SUBSCRIPTIONS_ACTIVE.labels("regionUpdated").inc()
        try:
            while True:
                d = await sub.get()
                if not ctx.key_known_active():
                    await ctx.ensure_key_active()
                update = _region_update(d)
                if direct is None or not await direct.send(update):
                    metrics.LIVE_GRAPHQL.inc()
                    yield update
        except HubClosedError:
            return
        finally:
            ctx.hub.regions.unsubscribe(sub)
            metrics.SUBSCRIPTIONS_ACTIVE.labels("regionUpdated").dec()

    @strawberry.subscription(
        description=(
            "The nationwide overview as it changes; for a region-scoped key, its regions' "
            "combined figures, as they change."
        )
    )
    async def overview_updated(self, info: Info) -> AsyncGenerator[OverviewUpdate, None]:
        ctx = info.context
        await _require_feed(ctx)
        direct = DirectSender.for_subscription(info)
        scope = ctx.principal.regions
        # A scoped key follows its regions (each change re-combines them), never the nation.
        channel = ctx.hub.national if scope is None else ctx.hub.regions
        sub = channel.subscribe(keys=[ev.NATIONAL] if scope is None else sorted(scope))

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

        _send_from_publish(ctx, direct, sub, overview_update)
        metrics.SUBSCRIPTIONS_ACTIVE.labels("overviewUpdated").inc()
        try:
            while True:
                d = await sub.get()
                if not ctx.key_known_active():
                    await ctx.ensure_key_active()
                update = overview_update(d)
                if direct is None or not await direct.send(update):
                    metrics.LIVE_GRAPHQL.inc()
                    yield update
        except HubClosedError:
            return
        finally:
            channel.unsubscribe(sub)
            metrics.SUBSCRIPTIONS_ACTIVE.labels("overviewUpdated").dec()

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
        await _require_feed(ctx)
        direct = DirectSender.for_subscription(info)
        sub = ctx.hub.alerts.subscribe(
            ev.Severity(min_severity),
            None if region is None else str(region),
            ctx.settings.alert_queue_size,
            within=ctx.principal.regions,
        )
        metrics.SUBSCRIPTIONS_ACTIVE.labels("alertRaised").inc()
        try:
            while True:
                try:
                    d = await sub.get()
                except HubOverflowError as exc:
                    error = SubscriberOverflowError(str(exc), requery="alerts(since:)")
                    await end_with_error(error)
                    raise error from None
                if not ctx.key_known_active():
                    await ctx.ensure_key_active()
                alert = d.value
                event = AlertEvent(
                    seq=d.seq, revision=d.revision, transition=alert.transition, alert=Alert.from_event(alert)
                )
                if direct is None or not await direct.send(event):
                    metrics.LIVE_GRAPHQL.inc()
                    yield event
        except HubClosedError:
            return
        finally:
            ctx.hub.alerts.unsubscribe(sub)
            metrics.SUBSCRIPTIONS_ACTIVE.labels("alertRaised").dec()
