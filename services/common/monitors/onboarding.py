"""Importing a roster into PostgreSQL: parse, compare with the stored monitors, apply in one
transaction (or only report, for a dry run). Shared by `pollwatch monitors import` and the API's
`importMonitors` mutation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.common import audit
from services.common.infra.db import Conn
from services.common.monitors.roster import Roster, parse_roster
from services.common.monitors.roster_plan import Action, Change, Plan, StoredMonitor, plan_import

# One import at a time: two at once would each see the other's new phones as free.
_IMPORT_LOCK = 0x706D6F6E  # "pmon"


@dataclass(frozen=True, slots=True)
class ImportReport:
    roster: Roster
    plan: Plan
    dry_run: bool
    # Ids given to the added monitors, in the order of plan.changes' additions (empty on a dry run).
    added_ids: tuple[str, ...] = ()


def new_monitor_id() -> str:
    return "mon-" + uuid.uuid4().hex[:12]


async def _stored(conn: Conn) -> dict[str, StoredMonitor]:
    rows = await conn.fetch(
        """SELECT m.id, m.phone, m.display_name, m.lang, m.region_id, m.coordinator,
                  coalesce(array_agg(s.station_id ORDER BY s.station_id)
                           FILTER (WHERE s.station_id IS NOT NULL), '{}') AS stations
           FROM monitors m LEFT JOIN monitor_stations s ON s.monitor_id = m.id
           WHERE m.revoked_at IS NULL AND m.phone IS NOT NULL
           GROUP BY m.id"""
    )
    return {
        r["phone"]: StoredMonitor(
            r["id"],
            r["phone"],
            r["display_name"],
            tuple(r["stations"]),
            r["lang"],
            r["region_id"],
            r["coordinator"],
        )
        for r in rows
    }


async def import_roster(conn: Conn, text: str, actor: str, dry_run: bool) -> ImportReport:
    """Imports `text` (the roster CSV); raises RosterFileError when it is no roster at all."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _IMPORT_LOCK)
        stations = {r["id"]: r["region_id"] for r in await conn.fetch("SELECT id, region_id FROM stations")}
        regions = frozenset(r["id"] for r in await conn.fetch("SELECT id FROM regions"))
        roster = parse_roster(text, stations, regions)
        plan = plan_import(roster.rows, await _stored(conn))
        if dry_run or not plan.changes:
            return ImportReport(roster, plan, dry_run)
        added = await _apply(conn, plan.changes)
        await audit.record(
            conn,
            actor,
            "monitors.imported",
            details={
                "rows": roster.total,
                "added": list(added),
                "updated": {c.monitor_id: list(c.fields) for c in plan.changes if c.action is Action.UPDATE},
                "unchanged": plan.unchanged,
                "refused": len(roster.refusals),
            },
        )
        return ImportReport(roster, plan, dry_run, added)


async def _apply(conn: Conn, changes: tuple[Change, ...]) -> tuple[str, ...]:
    """Writes the changes with COPY and set-based statements; returns the new monitors' ids."""
    additions = [(new_monitor_id(), c.row) for c in changes if c.action is Action.ADD]
    updates = [c for c in changes if c.action is Action.UPDATE]
    if additions:
        await conn.copy_records_to_table(
            "monitors",
            records=[(mid, r.name, r.phone, r.lang, r.region_id, r.coordinator) for mid, r in additions],
            columns=["id", "display_name", "phone", "lang", "region_id", "coordinator"],
        )
    if updates:
        await conn.executemany(
            """UPDATE monitors SET display_name = $2, lang = $3, region_id = $4, coordinator = $5
               WHERE id = $1""",
            [(c.monitor_id, c.row.name, c.row.lang, c.row.region_id, c.row.coordinator) for c in updates],
        )
    moved = [c for c in updates if "stations" in c.fields]
    if moved:
        await conn.execute(
            "DELETE FROM monitor_stations WHERE monitor_id = ANY($1::text[])", [c.monitor_id for c in moved]
        )
    assignments = [(mid, s) for mid, r in additions for s in r.stations] + [
        (c.monitor_id, s) for c in moved for s in c.row.stations
    ]
    if assignments:
        await conn.copy_records_to_table(
            "monitor_stations", records=assignments, columns=["monitor_id", "station_id"]
        )
    return tuple(mid for mid, _ in additions)
