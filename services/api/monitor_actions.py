"""Changes to monitors through the API: a roster import (admin), a phone swap and a station move
(coordinator and above). The same shared code as `pollwatch monitors import|swap-phone|move`,
so the audit log records them alike, with the key that asked (`api:<org>:<key id>`)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from services.api.context import Info
from services.api.errors import InvalidArgumentError, NotFoundError
from services.api.repository import stations as station_sql
from services.api.types.monitor import Monitor
from services.api.types.roster import MonitorImport
from services.common import audit
from services.common.monitors.changes import MonitorChangeError, move_stations, swap_phone
from services.common.monitors.onboarding import import_roster
from services.common.monitors.roster import RosterFileError

# A roster of the whole network (a few thousand rows) is well under this; larger: the CLI.
MAX_ROSTER_CHARS = 2_000_000


def _actor(info: Info) -> str:
    p = info.context.principal
    return audit.api_actor(p.key_id, p.org)


async def import_monitors(info: Info, csv: str, dry_run: bool) -> MonitorImport:
    if len(csv) > MAX_ROSTER_CHARS:
        raise InvalidArgumentError(
            f"longer than {MAX_ROSTER_CHARS} characters: use pollwatch monitors import", argument="csv"
        )
    try:
        async with info.context.pool.acquire() as conn:
            report = await import_roster(conn, csv, _actor(info), dry_run)
    except RosterFileError as exc:
        raise InvalidArgumentError(f"not a roster: {exc}; nothing imported", argument="csv") from None
    return MonitorImport.from_report(report)


async def _require_monitor_regions(info: Info, monitor_id: str, stations: Sequence[str], what: str) -> None:
    """A region-scoped key changes only monitors, and moves them only to stations, of its regions."""
    if info.context.principal.regions is None:
        return
    for region in await station_sql.monitor_change_regions(info.context.pool, monitor_id, stations):
        info.context.require_region(region, what)


async def _changed(info: Info, monitor_id: str) -> Monitor:
    rows = await station_sql.monitors_by_ids(info.context.pool, [monitor_id])
    return Monitor.from_row(rows[0])


def _refused(exc: MonitorChangeError) -> Exception:
    """The refusal, naming the argument at fault (monitor, phone or stations) and why."""
    if exc.code == "not_found":
        return NotFoundError(str(exc), argument=exc.field)
    return InvalidArgumentError(str(exc), argument=exc.field, reason=exc.code)


async def swap_monitor_phone(info: Info, monitor: strawberry.ID, phone: str) -> Monitor:
    await _require_monitor_regions(info, str(monitor), (), "swapMonitorPhone")
    try:
        async with info.context.pool.acquire() as conn:
            await swap_phone(conn, str(monitor), phone, _actor(info))
    except MonitorChangeError as exc:
        raise _refused(exc) from None
    return await _changed(info, str(monitor))


async def move_monitor(info: Info, monitor: strawberry.ID, stations: list[strawberry.ID]) -> Monitor:
    ids = [str(s) for s in stations]
    await _require_monitor_regions(info, str(monitor), ids, "moveMonitor")
    try:
        async with info.context.pool.acquire() as conn:
            await move_stations(conn, str(monitor), ids, _actor(info))
    except MonitorChangeError as exc:
        raise _refused(exc) from None
    return await _changed(info, str(monitor))
