"""Importing the roster on PostgreSQL: the demo file, then again (nothing changes), a changed
row, a dry run, and bad rows refused while the rest are taken."""

from __future__ import annotations

import asyncpg
import pytest

from services.common.monitors.onboarding import import_roster
from services.common.registry.demo_monitors import demo_monitors, to_csv
from tests.integration.monitors.conftest import pollwatch

pytestmark = pytest.mark.usefixtures("registry")

SNAPSHOT = """
SELECT m.id, m.display_name, m.phone, m.lang, m.region_id, m.coordinator, m.token_hash,
       m.revoked_at, array_agg(s.station_id ORDER BY s.station_id) AS stations
FROM monitors m JOIN monitor_stations s ON s.monitor_id = m.id GROUP BY m.id ORDER BY m.id"""


async def test_the_demo_roster_imports_and_a_reimport_changes_nothing(db: asyncpg.Connection) -> None:
    text = to_csv(demo_monitors())
    first = await import_roster(db, text, "test", dry_run=False)
    assert (first.plan.added, first.plan.updated, len(first.roster.refusals)) == (2000, 0, 0)
    before = [tuple(r) for r in await db.fetch(SNAPSHOT)]
    assert len(before) == 2000
    assert await db.fetchval("SELECT count(*) FROM monitors WHERE token_hash IS NULL") == 2000

    again = await import_roster(db, text, "test", dry_run=False)
    assert (again.plan.added, again.plan.updated, again.plan.unchanged) == (0, 0, 2000)
    assert [tuple(r) for r in await db.fetch(SNAPSHOT)] == before
    # Only the first import is in the audit log: the second did nothing.
    audit = await db.fetch("SELECT action, details->>'unchanged' AS unchanged FROM audit_log")
    assert [(r["action"], r["unchanged"]) for r in audit] == [("monitors.imported", "0")]


async def test_a_changed_row_updates_its_monitor_only(db: asyncpg.Connection) -> None:
    monitors = demo_monitors()[:50]
    await import_roster(db, to_csv(monitors), "test", dry_run=False)
    target = monitors[7]
    ids = {r["phone"]: r["id"] for r in await db.fetch("SELECT id, phone FROM monitors")}
    lines = to_csv(monitors).splitlines()
    lines[8] = lines[8].replace(f",{target.language},", ",en," if target.language != "en" else ",ru,")
    lines[8] = lines[8].replace(",".join(("", ";".join(target.stations), "")), ",ALA-0100;ALA-0001,")
    changed = await import_roster(db, "\n".join(lines) + "\n", "test", dry_run=False)
    assert [(c.monitor_id, c.fields) for c in changed.plan.changes] == [
        (ids[target.phone], ("stations", "language"))
    ]
    stations = await db.fetchval(
        "SELECT array_agg(station_id ORDER BY station_id) FROM monitor_stations WHERE monitor_id = $1",
        ids[target.phone],
    )
    assert stations == ["ALA-0001", "ALA-0100"]
    assert await db.fetchval("SELECT count(*) FROM monitors") == 50


async def test_dry_run_lists_the_changes_and_writes_nothing(
    database_url: str, db: asyncpg.Connection
) -> None:
    path_text = to_csv(demo_monitors()[:3])
    result = await pollwatch(database_url, "monitors", "import", "--dry-run", "-", stdin=path_text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "-: 3 rows: 3 to add, 0 to update, 0 unchanged, 0 refused (dry run: nothing written)"
    )
    assert "line 2: add " in result.stdout
    assert await db.fetchval("SELECT count(*) FROM monitors") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_bad_rows_are_refused_with_their_reason_and_the_rest_taken(
    database_url: str, db: asyncpg.Connection
) -> None:
    text = (
        "name,phone,stations,language,region,coordinator\n"
        "Good One,+77011234567,ALA-0001,kk,ALA,Dana\n"
        "Bad Phone,87011234567,ALA-0002,ru,ALA,Dana\n"
        "No Station,+77021234567,ALA-9999,ru,ALA,Dana\n"
        "Twin A,+77051234567,ALA-0003,ru,ALA,Dana\n"
        "Twin B,+77051234567,ALA-0004,ru,ALA,Dana\n"
        "Good Two,+77071234567,AST-0001,en,,\n"
    )
    result = await pollwatch(database_url, "monitors", "import", "-", stdin=text)
    assert result.exit_code == 1, result.output  # some rows refused
    assert result.stdout.splitlines() == [
        "-: 6 rows: 2 added, 0 updated, 0 unchanged, 4 refused",
        "refused:",
        "  line 3, phone (bad_phone): '87011234567' is not a valid international number in E.164,"
        " e.g. +77011234567",
        "  line 4, stations (unknown_station): not in the station registry: ALA-9999",
        "  line 5, phone (duplicate_phone): the same phone is on lines 5, 6 (one phone, one monitor)",
        "  line 6, phone (duplicate_phone): the same phone is on lines 5, 6 (one phone, one monitor)",
    ]
    rows = await db.fetch("SELECT display_name, region_id FROM monitors ORDER BY display_name")
    assert [(r["display_name"], r["region_id"]) for r in rows] == [("Good One", "ALA"), ("Good Two", "AST")]


async def test_a_file_that_is_no_roster_is_refused_whole(database_url: str) -> None:
    result = await pollwatch(database_url, "monitors", "import", "-", stdin="name,phone\nA,+77011234567\n")
    assert result.exit_code == 2
    assert "missing column(s) stations" in result.output
