"""Monitor: a person's identity. Analysts read a monitor's id and whether it is active; only
coordinators and admins read its name and phone, on every path."""

from __future__ import annotations

import asyncpg
import strawberry

from services.api.auth import Role
from services.api.context import Info


@strawberry.type(
    description="A monitor (name and phone: coordinators and admins; exposing a monitor can endanger them)."
)
class Monitor:
    id: strawberry.ID
    _row: strawberry.Private[asyncpg.Record]

    @strawberry.field
    def display_name(self, info: Info) -> str:
        info.context.require(Role.COORDINATOR, "Monitor.displayName")
        return str(self._row["display_name"])

    @strawberry.field
    def phone(self, info: Info) -> str | None:
        info.context.require(Role.COORDINATOR, "Monitor.phone")
        phone = self._row["phone"]
        return None if phone is None else str(phone)

    @strawberry.field(description="False once the monitor's token is revoked.")
    def active(self) -> bool:
        return self._row["revoked_at"] is None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Monitor:
        return cls(id=strawberry.ID(row["id"]), _row=row)
