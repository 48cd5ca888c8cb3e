"""The Mutation root: ops actions on alerts (admin), recorded with who and when."""

from __future__ import annotations

import strawberry

from services.api.auth import Role
from services.api.context import Info
from services.api.errors import InvalidArgumentError, NotFoundError
from services.api.repository import alerts as alert_sql
from services.api.types.alert import Alert

MAX_NOTE = 2000


async def _act(info: Info, alert_id: strawberry.ID, action: str, note: str) -> Alert:
    if len(note) > MAX_NOTE:
        raise InvalidArgumentError(f"note longer than {MAX_NOTE} characters", argument="note")
    p = info.context.principal
    row = await alert_sql.record_action(info.context.pool, str(alert_id), action, p.key_id, p.org, note)
    if row is None:
        raise NotFoundError(f"no alert {alert_id}", argument="id")
    return Alert.from_row(row)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Acknowledge an alert (admin); recorded with the key, org and time.")
    async def acknowledge_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        info.context.require(Role.ADMIN, "acknowledgeAlert")
        return await _act(info, id, "acknowledge", note)

    @strawberry.mutation(description="Resolve an alert (admin); recorded with the key, org and time.")
    async def resolve_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        info.context.require(Role.ADMIN, "resolveAlert")
        return await _act(info, id, "resolve", note)
