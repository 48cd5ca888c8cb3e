"""The one loop every subscription resolver runs: hub deliveries to the subscriber's socket.

A resolver checks its arguments and the key's access, then hands `stream` how to subscribe to
its hub channel and how a delivery becomes its GraphQL event. Everything after that is the
same for every subscription: the feed must be live, the publish path is offered while the
reader is idle (conflated channels), the key is re-checked before each message, and each event
goes out as a preformatted frame or, failing that, through graphql-core. The drawing of the
whole path with its fallbacks is in `services/api/live/__init__.py`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol, TypeVar

from services.api import metrics
from services.api.availability import feed_error
from services.api.context import Context, Info
from services.api.errors import SubscriberOverflowError
from services.api.live.frames import DirectSender, LiveEvent, end_with_error
from services.api.live.hub import ConflatedSubscription, Delivery, HubClosedError, HubOverflowError

E = TypeVar("E", bound=LiveEvent)
S = TypeVar("S", bound="LiveSubscription")
S_contra = TypeVar("S_contra", contravariant=True)


class LiveSubscription(Protocol):
    """A hub subscription: the next delivery, waiting for one if none is pending."""

    async def get(self) -> Delivery[Any]: ...


class Channel(Protocol[S_contra]):
    """The hub channel a subscription was taken from, which it leaves when the stream ends."""

    def unsubscribe(self, sub: S_contra) -> None: ...


async def _require_feed(ctx: Context) -> None:
    """Refuses a new subscription while the Kafka feed is not live: it would get stale values."""
    if not ctx.feed_live():
        metrics.UNAVAILABLE.labels("kafka").inc()
        error = feed_error()
        await end_with_error(error)
        raise error


async def stream(
    info: Info,
    field: str,
    channel: Channel[S],
    subscribe: Callable[[], S],
    event: Callable[[Delivery[Any]], E],
) -> AsyncGenerator[E, None]:
    """The events of one subscription: what graphql-core must execute is yielded, the rest sent.

    `subscribe` is called once the feed is known live; the subscription leaves `channel` when
    the stream ends, however it ends. An alert subscriber that overflowed is ended with a
    graphql-transport-ws `error` message (SUBSCRIBER_OVERFLOW); a hub shutdown ends it quietly.
    """
    ctx = info.context
    await _require_feed(ctx)
    direct = DirectSender.for_subscription(info)
    sub = subscribe()
    # The publish path: while the reader is idle and the socket takes the frame now, the hub's
    # publish writes it; whatever it declines is queued for the loop below. Alert subscriptions
    # have no sink: every transition is queued, bounded, at the pace of the alert pump.
    if direct is not None and direct.can_send_now and isinstance(sub, ConflatedSubscription):
        sub.sink = lambda d: ctx.key_known_active() and direct.send_now(event(d))
    active = metrics.SUBSCRIPTIONS_ACTIVE.labels(field)
    active.inc()
    try:
        while True:
            try:
                delivery = await sub.get()
            except HubOverflowError as exc:  # only alert queues overflow: stats conflate
                error = SubscriberOverflowError(str(exc), requery="alerts(since:)")
                await end_with_error(error)
                raise error from None
            if not ctx.key_known_active():
                await ctx.ensure_key_active()
            update = event(delivery)
            if direct is None or not await direct.send(update):
                metrics.LIVE_GRAPHQL.inc()
                yield update
    except HubClosedError:
        return
    finally:
        channel.unsubscribe(sub)
        active.dec()
