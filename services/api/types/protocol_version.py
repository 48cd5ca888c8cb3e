"""A station's final protocols as monitors sent them: a correction supersedes the one before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import orjson
import strawberry
from strawberry.scalars import JSON

from services.api.auth import Principal, Role
from services.api.types.enums import VerificationState
from services.common.contracts import events as ev

# The protocol figures shown (never the evidence ids: photos are read through evidence).
_FIGURES = (
    "registered_voters", "ballots_received", "ballots_issued", "ballots_cast", "valid_ballots",
    "invalid_ballots", "votes", "copy_received", "home_ballots_issued",
)  # fmt: skip


@strawberry.type(
    description="One final protocol a monitor sent for the station. The one that counts is the newest "
    "(by observation time, then id) that is neither rejected nor quarantined; the others are what "
    "it corrected, or what a coordinator set aside."
)
class ProtocolVersion:
    report_id: strawberry.ID
    observed_at: datetime
    received_at: datetime = strawberry.field(description="When the correction (or first copy) arrived.")
    monitor_id: str | None = strawberry.field(description="Who sent it (analyst and above; else null).")
    figures: JSON = strawberry.field(description="Its figures, as the protocol's fields (snake_case).")
    verification: VerificationState
    current: bool = strawberry.field(description="This version is the one in the figures.")


def versions(rows: Sequence[asyncpg.Record], principal: Principal) -> list[ProtocolVersion]:
    """Newest first; `rows` are the station's protocol reports in any order."""
    ordered = sorted(rows, key=lambda r: (r["observed_at"], r["id"]), reverse=True)
    counting = next((r["id"] for r in ordered if r["verification"] not in ev.OUT_OF_FIGURES), None)
    names = principal.role.includes(Role.ANALYST)
    out = []
    for r in ordered:
        raw: Any = r["body"]
        body: dict[str, Any] = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
        figures: Any = {k: body[k] for k in _FIGURES if k in body}
        out.append(
            ProtocolVersion(
                report_id=strawberry.ID(r["id"]),
                observed_at=r["observed_at"],
                received_at=r["received_at"],
                monitor_id=r["monitor_id"] if names else None,
                figures=figures,
                verification=VerificationState(r["verification"]),
                current=r["id"] == counting,
            )
        )
    return out
