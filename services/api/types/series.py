"""Turnout over time for charts."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="Cumulative turnout at the end of a time bucket.")
class TurnoutPoint:
    at: datetime
    ballots_issued: int
    turnout_pct: float
