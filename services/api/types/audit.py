"""An audit log entry (admin): who did what to whom, and when."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson
import strawberry
from strawberry.scalars import JSON


@strawberry.type(description="One action by a person, as recorded in the append-only audit log.")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor: str = strawberry.field(
        description="`cli:<user>` on the command line, `api:<org>:<key id>` through the API."
    )
    action: str = strawberry.field(
        description="What was done, e.g. alert.resolved, key.created, monitor.revoked."
    )
    subject: str = strawberry.field(
        description="What it was done to (an alert, key, monitor or report id); may be empty."
    )
    details: JSON = strawberry.field(
        description="The rest (notes, old and new values); phones masked, never secrets."
    )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(row["id"])),
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            subject=row["subject"],
            details=orjson.loads(row["details"]),
        )
