"""The Mutation root: ops actions on alerts (admin), changes to monitors (monitor_actions.py) and
messages to them (broadcast_actions.py), recorded with who and when."""

from __future__ import annotations

import strawberry

from services.api import review as desk
from services.api.alert_notify import set_alert_duty_field
from services.api.auth import Role
from services.api.broadcast_actions import send_message
from services.api.context import Info
from services.api.errors import InvalidArgumentError, NotFoundError
from services.api.monitor_actions import import_monitors, move_monitor, swap_monitor_phone
from services.api.repository import alerts as alert_sql
from services.api.types.alert import Alert
from services.api.types.broadcast import BroadcastAudienceInput, BroadcastRequest, BroadcastTranslationsInput
from services.api.types.enums import CallBackOutcome, ReviewKind, VerificationState
from services.api.types.monitor import Monitor
from services.api.types.review import ReviewItem
from services.api.types.roster import MonitorImport

MAX_NOTE = 2000


async def _act(info: Info, alert_id: strawberry.ID, action: str, note: str, what: str) -> Alert:
    """A coordinator's decision on an alert: coordinators and admins, a region-scoped key only
    on alerts of its regions (grave alerts stay open until someone decides)."""
    info.context.require(Role.COORDINATOR, what)
    if len(note) > MAX_NOTE:
        raise InvalidArgumentError(f"note longer than {MAX_NOTE} characters", argument="note")
    p = info.context.principal
    if p.regions is not None:
        found = await alert_sql.alert_by_id(info.context.pool, str(alert_id))
        if found is None:
            raise NotFoundError(f"no alert {alert_id}", argument="id")
        info.context.require_region(found["region_id"], what)
    row = await alert_sql.record_action(info.context.pool, str(alert_id), action, p.key_id, p.org, note)
    if row is None:
        raise NotFoundError(f"no alert {alert_id}", argument="id")
    return Alert.from_row(row)


@strawberry.type
class Mutation:
    set_alert_duty = set_alert_duty_field

    @strawberry.mutation(
        description="Acknowledge an alert (coordinator and above, within the key's regions); "
        "recorded with the key, org and time."
    )
    async def acknowledge_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act(info, id, "acknowledge", note, "acknowledgeAlert")

    @strawberry.mutation(
        description="Resolve an alert with a note (coordinator and above, within the key's regions); "
        "recorded with the key, org and time."
    )
    async def resolve_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act(info, id, "resolve", note, "resolveAlert")

    @strawberry.mutation(
        description="Add and update monitors from a roster CSV, as `pollwatch monitors import` (admin): "
        "re-importing the same file changes nothing; bad rows are refused with their reason, the rest taken."
    )
    async def import_monitors(self, info: Info, csv: str, dry_run: bool = False) -> MonitorImport:
        info.context.require(Role.ADMIN, "importMonitors")
        return await import_monitors(info, csv, dry_run)

    @strawberry.mutation(
        description="Give a monitor a new phone (coordinator and above): texts from the old one are refused."
    )
    async def swap_monitor_phone(self, info: Info, monitor: strawberry.ID, phone: str) -> Monitor:
        info.context.require(Role.COORDINATOR, "swapMonitorPhone")
        return await swap_monitor_phone(info, monitor, phone)

    @strawberry.mutation(
        description="Assign a monitor to other stations, effective at once (coordinator and above)."
    )
    async def move_monitor(
        self, info: Info, monitor: strawberry.ID, stations: list[strawberry.ID]
    ) -> Monitor:
        info.context.require(Role.COORDINATOR, "moveMonitor")
        return await move_monitor(info, monitor, stations)

    @strawberry.mutation(
        description="Send a message to monitors by SMS, as `pollwatch messages send` (coordinator and "
        "above; a region-scoped key reaches its regions' monitors only): each recipient once, in their "
        "language where a translation is given, else `text`. Repeating a request with its `id` sends "
        "nothing twice."
    )
    async def send_message(
        self,
        info: Info,
        audience: BroadcastAudienceInput,
        text: str,
        translations: BroadcastTranslationsInput | None = None,
        id: strawberry.ID | None = None,
    ) -> BroadcastRequest:
        return await send_message(info, audience, text, translations, id)

    @strawberry.mutation(
        description="Set a report's or alert's verification state with a note (coordinator and above, "
        "within the key's regions): rejected reports leave the figures, quarantined ones are held back."
    )
    async def verify(
        self,
        info: Info,
        kind: ReviewKind,
        id: strawberry.ID,
        state: VerificationState,
        note: str = "",
    ) -> ReviewItem:
        return await desk.verify(info, kind, id, state, note)

    @strawberry.mutation(
        description="Claim a review item to call the monitor back (coordinator and above); CONFLICT "
        "while another coordinator's claim is live. A decision ends the claim."
    )
    async def claim_review_item(self, info: Info, kind: ReviewKind, id: strawberry.ID) -> ReviewItem:
        return await desk.claim(info, kind, id)

    @strawberry.mutation(
        description="Record what came of the call to the monitor behind a review item (coordinator and "
        "above, within the key's regions), audited as `<kind>.called_back`; the claim stays."
    )
    async def record_call_back(
        self, info: Info, kind: ReviewKind, id: strawberry.ID, outcome: CallBackOutcome, note: str = ""
    ) -> ReviewItem:
        return await desk.record_call_back(info, kind, id, outcome, note)
