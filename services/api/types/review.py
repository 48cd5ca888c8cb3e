"""A review item (coordinator and above): a report or alert with its verification and claim."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import strawberry

from services.api.types.enums import CallBackOutcome, ReviewKind, VerificationState


@strawberry.type(description="A report or alert waiting for (or given) a coordinator's decision.")
class ReviewItem:
    kind: ReviewKind
    id: strawberry.ID
    region_id: str
    station_id: str
    type: str = strawberry.field(description="The report's kind or the alert's rule.")
    at: datetime = strawberry.field(description="When the report was observed or the alert opened.")
    priority: int = strawberry.field(description="0: a grave incident or critical alert; 1: the rest.")
    state: VerificationState
    decided_by: str | None = strawberry.field(description="`api:<org>:<key id>` of the last decision.")
    decided_at: datetime | None
    note: str
    claimed_by: str | None = strawberry.field(description="Who is calling the monitor back, if anyone.")
    claimed_at: datetime | None
    call_back: CallBackOutcome | None = strawberry.field(
        description="What came of the latest call to the monitor; null before any."
    )
    call_back_by: str | None
    call_back_at: datetime | None
    call_back_note: str

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ReviewItem:
        return cls(
            kind=ReviewKind(row["kind"]),
            id=strawberry.ID(row["id"]),
            region_id=row["region_id"],
            station_id=row["station_id"],
            type=row["type"],
            at=row["at"],
            priority=row["priority"],
            state=VerificationState(row["verification"]),
            decided_by=row["verified_by"],
            decided_at=row["verified_at"],
            note=row["verification_note"],
            claimed_by=row["claimed_by"],
            claimed_at=row["claimed_at"],
            call_back=None if row["callback_outcome"] is None else CallBackOutcome(row["callback_outcome"]),
            call_back_by=row["callback_by"],
            call_back_at=row["callback_at"],
            call_back_note=row["callback_note"],
        )
