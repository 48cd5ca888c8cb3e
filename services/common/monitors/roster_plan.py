"""What importing a roster changes: a pure comparison of its rows with the monitors stored.

A row is matched to the active monitor holding its phone: one phone, one monitor. A phone
nobody holds is a new monitor; a matched monitor whose name, stations, language, region or
coordinator differ is updated; the rest are unchanged, so importing the same file twice changes
nothing. Monitors missing from the file are left alone (`pollwatch monitors revoke` removes
one), and a phone changes only by a swap (`pollwatch monitors swap-phone`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.common.monitors.roster import RosterRow


@dataclass(frozen=True, slots=True)
class StoredMonitor:
    id: str
    phone: str
    name: str
    stations: tuple[str, ...]  # sorted
    lang: str | None
    region_id: str | None
    coordinator: str


class Action(StrEnum):
    ADD = "add"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class Change:
    """A row that changes something; `monitor_id` is None for a monitor not yet created."""

    row: RosterRow
    action: Action
    monitor_id: str | None
    fields: tuple[str, ...]  # for an update, the columns that differ


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[Change, ...]
    unchanged: int

    @property
    def added(self) -> int:
        return sum(1 for c in self.changes if c.action is Action.ADD)

    @property
    def updated(self) -> int:
        return sum(1 for c in self.changes if c.action is Action.UPDATE)


def _differences(row: RosterRow, stored: StoredMonitor) -> tuple[str, ...]:
    pairs = (
        ("name", row.name, stored.name),
        ("stations", row.stations, stored.stations),
        ("language", row.lang, stored.lang),
        ("region", row.region_id, stored.region_id),
        ("coordinator", row.coordinator, stored.coordinator),
    )
    return tuple(field for field, new, old in pairs if new != old)


def plan_import(rows: Iterable[RosterRow], stored_by_phone: Mapping[str, StoredMonitor]) -> Plan:
    changes: list[Change] = []
    unchanged = 0
    for row in rows:
        stored = stored_by_phone.get(row.phone)
        if stored is None:
            changes.append(Change(row, Action.ADD, None, ()))
            continue
        fields = _differences(row, stored)
        if fields:
            changes.append(Change(row, Action.UPDATE, stored.id, fields))
        else:
            unchanged += 1
    return Plan(tuple(changes), unchanged)
