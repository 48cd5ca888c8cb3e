"""What an import changes: new phones are added, changed rows updated, the same rows nothing."""

from __future__ import annotations

from services.common.monitors.roster import RosterRow
from services.common.monitors.roster_plan import Action, StoredMonitor, plan_import


def row(line: int, phone: str, **kw: object) -> RosterRow:
    values: dict[str, object] = {
        "name": "Aigerim Bekova",
        "stations": ("ALA-0001",),
        "lang": "kk",
        "region_id": "ALA",
        "coordinator": "Dana",
    }
    values.update(kw)
    return RosterRow(line=line, phone=phone, **values)  # type: ignore[arg-type]


def stored(r: RosterRow, monitor_id: str) -> StoredMonitor:
    return StoredMonitor(monitor_id, r.phone, r.name, r.stations, r.lang, r.region_id, r.coordinator)


def test_same_rows_change_nothing() -> None:
    rows = [row(2, "+77011234567"), row(3, "+77021234567", name="Olga")]
    plan = plan_import(rows, {r.phone: stored(r, f"m{r.line}") for r in rows})
    assert plan.changes == ()
    assert plan.unchanged == 2


def test_a_new_phone_is_added_and_a_changed_row_updates_its_monitor() -> None:
    before = row(2, "+77011234567")
    now = [row(2, "+77011234567", stations=("ALA-0001", "ALA-0002"), lang="ru"), row(3, "+77021234567")]
    plan = plan_import(now, {before.phone: stored(before, "mon-a")})
    assert [(c.action, c.monitor_id, c.fields) for c in plan.changes] == [
        (Action.UPDATE, "mon-a", ("stations", "language")),
        (Action.ADD, None, ()),
    ]
    assert (plan.added, plan.updated, plan.unchanged) == (1, 1, 0)


def test_a_monitor_without_a_region_gets_the_rows() -> None:
    r = row(2, "+77011234567")
    old = StoredMonitor("mon-a", r.phone, r.name, r.stations, r.lang, None, r.coordinator)
    assert plan_import([r], {r.phone: old}).changes[0].fields == ("region",)


def test_a_language_given_or_taken_away_is_a_change() -> None:
    given, without = row(2, "+77011234567"), row(2, "+77011234567", lang=None)
    assert plan_import([given], {given.phone: stored(without, "mon-a")}).changes[0].fields == ("language",)
    assert plan_import([without], {given.phone: stored(given, "mon-a")}).changes[0].fields == ("language",)
    assert plan_import([without], {given.phone: stored(without, "mon-a")}).unchanged == 1
