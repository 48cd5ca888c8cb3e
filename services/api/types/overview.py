"""Overview: the nationwide picture (public)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import strawberry

from services.api.types.region import RegionStats
from services.common.contracts import events as ev


@strawberry.type(description="Open alerts by severity.")
class AlertCounts:
    info: int = strawberry.field(description="Open alerts of severity INFO.")
    warning: int = strawberry.field(description="Open alerts of severity WARNING.")
    critical: int = strawberry.field(description="Open alerts of severity CRITICAL.")

    @strawberry.field(description="info + warning + critical.")
    def total(self) -> int:
        return self.info + self.warning + self.critical

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> AlertCounts:
        return cls(
            info=counts.get("info", 0), warning=counts.get("warning", 0), critical=counts.get("critical", 0)
        )

    @classmethod
    def from_alerts(cls, alerts: Iterable[ev.Alert]) -> AlertCounts:
        counts: dict[str, int] = {}
        for a in alerts:
            counts[a.severity.value] = counts.get(a.severity.value, 0) + 1
        return cls.from_counts(counts)


@strawberry.type(description="Nationwide turnout, reporting and silent stations, open alerts.")
class Overview:
    national: RegionStats | None = strawberry.field(
        description="The nationwide roll-up; null before the aggregator wrote one."
    )
    open_alerts: AlertCounts
