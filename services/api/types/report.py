"""Report: a monitor's report as accepted (analyst and above: it names the monitor)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import orjson
import strawberry
from strawberry.scalars import JSON

from services.api.auth import Role
from services.api.context import Info
from services.api.types.enums import ReportKind, VerificationState
from services.api.types.monitor import Monitor
from services.api.types.station import Station
from services.common.contracts import events as ev


@strawberry.type(description="A monitor's report (analyst and above).")
class Report:
    id: strawberry.ID
    station_id: str
    channel: str
    kind: ReportKind  # type: ignore[valid-type]
    observed_at: datetime
    received_at: datetime
    flags: list[str]
    body: JSON
    _monitor_id: strawberry.Private[str]
    verification: VerificationState = strawberry.field(
        default=VerificationState.UNVERIFIED, description="A coordinator's decision on this report."
    )

    @strawberry.field(description="Who sent the report (analyst and above).")
    def monitor_id(self, info: Info) -> strawberry.ID:
        info.context.require(Role.ANALYST, "Report.monitorId")
        return strawberry.ID(self._monitor_id)

    @strawberry.field(description="Who sent the report (analyst and above).")
    async def monitor(self, info: Info) -> Monitor | None:
        info.context.require(Role.ANALYST, "Report.monitor")
        row = await info.context.loaders.monitor.load(self._monitor_id)
        return None if row is None else Monitor.from_row(row)

    @strawberry.field
    def station(self) -> Station:
        return Station(id=strawberry.ID(self.station_id))

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Report:
        body: Any = row["body"]
        return cls(
            id=strawberry.ID(row["id"]),
            station_id=row["station_id"],
            channel=row["channel"],
            kind=ev.ReportKind(row["kind"]),
            observed_at=row["observed_at"],
            received_at=row["received_at"],
            flags=list(row["flags"]),
            body=orjson.loads(body) if isinstance(body, str | bytes) else body,
            _monitor_id=row["monitor_id"],
            verification=VerificationState(row["verification"]),
        )
