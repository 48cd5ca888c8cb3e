"""Turnout over time for charts."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(
    description="Cumulative turnout as last reported within a time bucket (a region's carries "
    "each station's last count forward)."
)
class TurnoutPoint:
    at: datetime = strawberry.field(description="The bucket's start, in the local time of its zone.")
    ballots_issued: int = strawberry.field(
        description="Ballots issued by the bucket's end: each station's last count, carried forward."
    )
    turnout_pct: float = strawberry.field(
        description=(
            "100 * ballotsIssued / the registered voters of every station in scope (a region's "
            "registeredVoters, not registeredVotersReporting): it rises as stations report."
        )
    )
