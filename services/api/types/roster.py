"""What an import of the monitors' roster did (or, for a dry run, would do)."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry

from services.common.monitors.onboarding import ImportReport
from services.common.monitors.roster_plan import Action, Change


@strawberry.type(description="A roster row left out, and why.")
class RosterRefusal:
    line: int
    field: str = strawberry.field(description="The column at fault.")
    code: str = strawberry.field(
        description="bad_phone, unknown_station, duplicate_phone, bad_language, unknown_region, required, ..."
    )
    message: str


@strawberry.type(description="A row that adds a monitor or changes one.")
class RosterChange:
    line: int
    action: str = strawberry.field(description="add or update")
    monitor_id: strawberry.ID | None = strawberry.field(
        description="null for a monitor not yet created (a dry run)."
    )
    fields: list[str] = strawberry.field(description="For an update, the columns that differ.")


def _change(change: Change, added: Iterator[str]) -> RosterChange:
    if change.action is Action.ADD:
        new_id = next(added, None)  # none on a dry run
        monitor_id = None if new_id is None else strawberry.ID(new_id)
    else:
        monitor_id = None if change.monitor_id is None else strawberry.ID(change.monitor_id)
    return RosterChange(
        line=change.row.line, action=change.action.value, monitor_id=monitor_id, fields=list(change.fields)
    )


@strawberry.type(description="An import of the roster: counts, the changes and the refused rows.")
class MonitorImport:
    dry_run: bool
    rows: int
    added: int
    updated: int
    unchanged: int
    changes: list[RosterChange]
    refusals: list[RosterRefusal]

    @classmethod
    def from_report(cls, report: ImportReport) -> MonitorImport:
        plan, roster = report.plan, report.roster
        added = iter(report.added_ids)
        changes = [_change(c, added) for c in plan.changes]
        return cls(
            dry_run=report.dry_run,
            rows=roster.total,
            added=plan.added,
            updated=plan.updated,
            unchanged=plan.unchanged,
            changes=changes,
            refusals=[
                RosterRefusal(line=r.line, field=r.field, code=r.code, message=r.message)
                for r in roster.refusals
            ],
        )
