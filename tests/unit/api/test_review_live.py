"""The review channel: items reach the subscribers whose regions hold them, conflated per item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import strawberry

from services.api.live.hub import HubClosedError
from services.api.review_live import ReviewChannel
from services.api.types.enums import ReviewKind, VerificationState
from services.api.types.review import ReviewItem


def review_item(
    item_id: str, region: str = "R1", claimed_by: str | None = None, kind: ReviewKind = ReviewKind.REPORT
) -> ReviewItem:
    return ReviewItem(
        kind=kind,
        id=strawberry.ID(item_id),
        region_id=region,
        station_id="S1",
        type="turnout",
        at=datetime(2026, 3, 15, 10, tzinfo=UTC),
        priority=1,
        state=VerificationState.UNVERIFIED,
        decided_by=None,
        decided_at=None,
        note="",
        claimed_by=claimed_by,
        claimed_at=None,
        call_back=None,
        call_back_by=None,
        call_back_at=None,
        call_back_note="",
    )


async def test_items_reach_only_the_subscribers_whose_regions_hold_them() -> None:
    channel = ReviewChannel()
    everyone = channel.subscribe()
    scoped = channel.subscribe(within=["R2"])
    one = channel.subscribe(region="R1", within=["R1", "R2"])
    assert channel.publish(review_item("r1", "R1")) == 2
    assert channel.publish(review_item("r4", "R2")) == 2
    assert [(await everyone.get()).value.id for _ in range(2)] == ["r1", "r4"]
    got = await scoped.get()
    assert (got.seq, got.revision, got.value.id) == (1, 2, "r4")
    assert (await one.get()).value.id == "r1"
    assert (scoped.depth, one.depth) == (0, 0)


async def test_a_subscriber_behind_gets_each_items_latest_state_once() -> None:
    channel = ReviewChannel()
    sub = channel.subscribe()
    channel.publish(review_item("r1", claimed_by="api:a:1"))
    channel.publish(review_item("r1", kind=ReviewKind.ALERT))  # another item: an alert with the same id
    channel.publish(review_item("r1", claimed_by="api:b:2"))
    assert channel.depth() == 2
    first, second = await sub.get(), await sub.get()
    assert (first.seq, first.revision, first.value.claimed_by) == (1, 3, "api:b:2")
    assert (second.seq, second.value.kind) == (2, ReviewKind.ALERT)


async def test_unsubscribed_and_closed_subscriptions_get_nothing_more() -> None:
    channel = ReviewChannel()
    gone, kept = channel.subscribe(), channel.subscribe()
    channel.unsubscribe(gone)
    assert channel.publish(review_item("r1")) == 1
    assert gone.depth == 0
    await kept.get()
    channel.close()
    with pytest.raises(HubClosedError):
        await kept.get()
