"""Alerts to the people on duty in GraphQL (coordinator and above): the subscriptions, the
delivery log, and putting a phone on or off duty. The same shared code as `pollwatch alerts`."""

from __future__ import annotations

import strawberry

from services.api.auth import Role
from services.api.context import Info
from services.api.errors import ForbiddenError, InvalidArgumentError, NotFoundError
from services.api.types.alert_delivery import AlertDelivery, AlertSubscription
from services.common.notify import subscriptions as subs

MAX_LOG = 1000
STATES = ("queued", "sending", "unknown", "delivered", "dead")


def _require(info: Info, what: str) -> None:
    """Coordinator and above, for every region: subscriptions and the log span regions."""
    info.context.require(Role.COORDINATOR, what)
    if info.context.region_scope is not None:
        raise ForbiddenError(f"{what} spans every region: this key is limited to some", field=what)


async def resolve_subscriptions(info: Info) -> list[AlertSubscription]:
    _require(info, "alertSubscriptions")
    return [AlertSubscription.from_row(r) for r in await subs.listed(info.context.pool)]


async def resolve_deliveries(info: Info, state: str | None = None, first: int = 100) -> list[AlertDelivery]:
    _require(info, "alertDeliveries")
    if state is not None and state not in STATES:
        raise InvalidArgumentError(f"state must be one of {', '.join(STATES)}", argument="state")
    if not 1 <= first <= MAX_LOG:
        raise InvalidArgumentError(f"first must be between 1 and {MAX_LOG}", argument="first")
    return [AlertDelivery.from_row(r) for r in await subs.delivery_log(info.context.pool, state, first)]


async def resolve_set_duty(info: Info, subscription: strawberry.ID, on_duty: bool) -> AlertSubscription:
    _require(info, "setAlertDuty")
    p = info.context.principal
    async with info.context.pool.acquire() as conn:
        try:
            await subs.set_on_duty(conn, str(subscription), on_duty, f"api:{p.org}:{p.key_id}")
        except subs.SubscriptionError as exc:
            raise NotFoundError(str(exc), argument="subscription") from None
        rows = await subs.listed(conn)
    return next(AlertSubscription.from_row(r) for r in rows if r["id"] == str(subscription))


alert_subscriptions_field = strawberry.field(
    resolver=resolve_subscriptions,
    description="Webhooks and phones told of alerts (coordinator and above; docs/notify.md).",
)
alert_deliveries_field = strawberry.field(
    resolver=resolve_deliveries,
    description="The alert notifications' delivery log, newest first (coordinator and above).",
)
set_alert_duty_field = strawberry.mutation(
    resolver=resolve_set_duty,
    description="Put an SMS subscriber on or off duty (coordinator and above); audited.",
)
