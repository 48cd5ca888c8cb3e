"""The coordinators' desk in GraphQL: the review queue, claims and verification decisions.

Coordinators and admins only; a region-scoped key sees and decides only items of its regions.
Every claim and decision is in the audit log (`report.verified`, `alert.claimed`, ...).
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import strawberry

from services.api.auth import Role
from services.api.context import Info
from services.api.errors import ConflictError, InvalidArgumentError, NotFoundError
from services.api.pagination import page_size
from services.api.repository import review as review_sql
from services.api.types.enums import CallBackOutcome, ReviewKind, VerificationState
from services.api.types.review import ReviewItem
from services.common import audit
from services.common.contracts import events as ev

MAX_NOTE = 2000
OPEN_STATES = (VerificationState.UNVERIFIED, VerificationState.QUARANTINED)


def _actor(info: Info) -> str:
    p = info.context.principal
    return audit.api_actor(p.key_id, p.org)


async def resolve_review_queue(
    info: Info,
    region: strawberry.ID | None = None,
    kind: ReviewKind | None = None,
    type: str | None = None,
    states: list[VerificationState] | None = None,
    unclaimed: bool = False,
    first: int | None = None,
) -> list[ReviewItem]:
    info.context.require(Role.COORDINATOR, "reviewQueue")
    if region is not None:
        info.context.require_region(str(region), "reviewQueue")
    s = info.context.settings
    wanted = review_sql.QueueFilter(
        states=[st.value for st in (states or OPEN_STATES)],
        grave_violations=s.grave_violations,
        regions=info.context.region_scope,
        region=None if region is None else str(region),
        kind=None if kind is None else kind.value,
        type=type,
        claimable_by=_actor(info) if unclaimed else None,
        claim_minutes=s.claim_minutes,
    )
    rows = await review_sql.review_queue(
        info.context.pool, wanted, page_size(first, s.page_default, s.page_max)
    )
    return [ReviewItem.from_row(r) for r in rows]


review_queue_field = strawberry.field(
    resolver=resolve_review_queue,
    description=(
        "Reports and alerts for coordinators to verify (coordinator and above): grave incidents and "
        "critical alerts first, then the rest, oldest first. Default states: unverified and quarantined; "
        "`unclaimed` hides items another coordinator claimed (claims lapse after API_CLAIM_MINUTES)."
    ),
)


async def _in_scope(info: Info, kind: ReviewKind, item_id: str, what: str) -> asyncpg.Record:
    row = await review_sql.item(info.context.pool, kind.value, item_id)
    if row is None:
        raise NotFoundError(f"no {kind.value} {item_id}", argument="id")
    info.context.require_region(row["region_id"], what)
    return row


async def _current(info: Info, kind: ReviewKind, item_id: str) -> ReviewItem:
    row = await review_sql.item(info.context.pool, kind.value, item_id)
    if row is None:
        raise NotFoundError(f"no {kind.value} {item_id}", argument="id")
    return ReviewItem.from_row(row)


async def verify(
    info: Info, kind: ReviewKind, id: strawberry.ID, state: VerificationState, note: str
) -> ReviewItem:
    info.context.require(Role.COORDINATOR, "verify")
    if len(note) > MAX_NOTE:
        raise InvalidArgumentError(f"note longer than {MAX_NOTE} characters", argument="note")
    row = await _in_scope(info, kind, str(id), "verify")
    async with info.context.pool.acquire() as conn:
        before = await review_sql.decide(conn, kind.value, str(id), state.value, _actor(info), note)
    if before is None:
        raise NotFoundError(f"no {kind.value} {id}", argument="id")
    if info.context.decisions is not None:
        decision = ev.VerificationDecision(
            subject=ev.ReviewSubject(kind.value),
            id=str(id),
            station_id=row["station_id"] or "",
            region_id=row["region_id"] or "",
            state=ev.VerificationState(state.value),
            previous=ev.VerificationState(before),
            decided_by=_actor(info),
            decided_at=datetime.now(UTC),
        )
        await info.context.decisions.publish(decision)
    return await _current(info, kind, str(id))


async def claim(info: Info, kind: ReviewKind, id: strawberry.ID) -> ReviewItem:
    info.context.require(Role.COORDINATOR, "claimReviewItem")
    await _in_scope(info, kind, str(id), "claimReviewItem")
    minutes = info.context.settings.claim_minutes
    async with info.context.pool.acquire() as conn:
        holder = await review_sql.claim(conn, kind.value, str(id), _actor(info), minutes)
    if holder is None:
        raise NotFoundError(f"no {kind.value} {id}", argument="id")
    if holder != _actor(info):
        raise ConflictError(f"{kind.value} {id} is claimed by {holder}", argument="id", claimedBy=holder)
    return await _current(info, kind, str(id))


async def record_call_back(
    info: Info, kind: ReviewKind, id: strawberry.ID, outcome: CallBackOutcome, note: str
) -> ReviewItem:
    info.context.require(Role.COORDINATOR, "recordCallBack")
    if len(note) > MAX_NOTE:
        raise InvalidArgumentError(f"note longer than {MAX_NOTE} characters", argument="note")
    await _in_scope(info, kind, str(id), "recordCallBack")
    async with info.context.pool.acquire() as conn:
        if not await review_sql.record_callback(conn, kind.value, str(id), outcome.value, _actor(info), note):
            raise NotFoundError(f"no {kind.value} {id}", argument="id")
    return await _current(info, kind, str(id))
