"""Changes to monitors through GraphQL: a roster import (admin), a phone swap and a station move
(coordinators), each in the audit log with the key that asked, refused with the argument at fault."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api
from tests.integration.api.seed import MONITOR_PHONE

IMPORT = """mutation($csv: String!, $dry: Boolean!) { importMonitors(csv: $csv, dryRun: $dry) {
  dryRun rows added updated unchanged changes { line action monitorId fields }
  refusals { line field code message } } }"""
SWAP = "mutation($m: ID!, $p: String!) { swapMonitorPhone(monitor: $m, phone: $p) { id phone active } }"
MOVE = "mutation($m: ID!, $s: [ID!]!) { moveMonitor(monitor: $m, stations: $s) { id } }"
ROSTER = (
    "name,phone,stations,language\n"
    "Olga Ivanova,+7 702 000 00 02,S2,ru\n"
    "Bad Phone,8702,S3,kk\n"
    "Daniyar Omarov,+77020000003,S4;S3,\n"
)


async def imported(api: Api, key: str, dry: bool) -> dict[str, Any]:
    body = await gql(api.url, IMPORT, key, {"csv": ROSTER, "dry": dry})
    assert "errors" not in body, body
    return dict(body["data"]["importMonitors"])


async def test_an_admin_imports_the_roster_once_and_bad_rows_are_reported(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    dry = await imported(api, keys["admin"], dry=True)
    assert (dry["dryRun"], dry["rows"], dry["added"], dry["updated"], dry["unchanged"]) == (True, 3, 2, 0, 0)
    assert [(c["line"], c["action"], c["monitorId"]) for c in dry["changes"]] == [
        (2, "add", None),
        (4, "add", None),
    ]
    assert dry["refusals"] == [
        {
            "line": 3,
            "field": "phone",
            "code": "bad_phone",
            "message": "'8702' is not a valid international number in E.164, e.g. +77011234567",
        }
    ]
    assert await db.fetchval("SELECT count(*) FROM monitors") == 1  # the seeded M1 only

    done = await imported(api, keys["admin"], dry=False)
    assert (done["added"], len(done["refusals"])) == (2, 1)
    ids = [c["monitorId"] for c in done["changes"]]
    rows = await db.fetch(
        "SELECT id, phone, lang, region_id FROM monitors WHERE id = ANY($1::text[]) ORDER BY phone", ids
    )
    assert [(r["phone"], r["lang"], r["region_id"]) for r in rows] == [
        ("+77020000002", "ru", "R1"),
        ("+77020000003", None, "R1"),  # the first of its stations (sorted: S3)
    ]
    again = await imported(api, keys["admin"], dry=False)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 2)
    actors = await db.fetch("SELECT actor, action FROM audit_log")
    key_id = keys["admin"].split("_")[1]
    assert [(r["actor"], r["action"]) for r in actors] == [(f"api:org-admin:{key_id}", "monitors.imported")]

    refused = await gql(api.url, IMPORT, keys["coordinator"], {"csv": ROSTER, "dry": True})
    assert error_codes(refused) == ["FORBIDDEN"]
    not_a_roster = await gql(
        api.url, IMPORT, keys["admin"], {"csv": "name,phone\nA,+77011234567\n", "dry": True}
    )
    assert error_codes(not_a_roster) == ["INVALID_ARGUMENT"]
    assert not_a_roster["errors"][0]["extensions"]["argument"] == "csv"
    assert "missing column(s) stations" in not_a_roster["errors"][0]["message"]


async def test_a_coordinator_swaps_a_phone_and_moves_a_monitor(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    swapped = await gql(api.url, SWAP, keys["coordinator"], {"m": "M1", "p": "+7 701 555 00 99"})
    assert swapped["data"]["swapMonitorPhone"] == {"id": "M1", "phone": "+77015550099", "active": True}
    moved = await gql(api.url, MOVE, keys["coordinator"], {"m": "M1", "s": ["S3", "S2"]})
    assert "errors" not in moved, moved
    stations = await db.fetchval(
        "SELECT array_agg(station_id ORDER BY station_id) FROM monitor_stations WHERE monitor_id = 'M1'"
    )
    assert stations == ["S2", "S3"]
    log = await db.fetch("SELECT actor, action, subject, details FROM audit_log ORDER BY id")
    key_id = keys["coordinator"].split("_")[1]
    assert [(r["actor"], r["action"], r["subject"]) for r in log] == [
        (f"api:org-coordinator:{key_id}", "monitor.phone_swapped", "M1"),
        (f"api:org-coordinator:{key_id}", "monitor.stations_moved", "M1"),
    ]
    assert MONITOR_PHONE not in str(log[0]["details"])  # phones masked in the log


async def test_monitor_changes_are_refused_with_the_argument_at_fault(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        (SWAP, {"m": "M1", "p": "not a phone"}, "INVALID_ARGUMENT", "phone"),
        (SWAP, {"m": "nobody", "p": "+77015550099"}, "NOT_FOUND", "monitor"),
        (MOVE, {"m": "M1", "s": ["S9"]}, "INVALID_ARGUMENT", "stations"),
        (MOVE, {"m": "M1", "s": []}, "INVALID_ARGUMENT", "stations"),
    ]
    for query, variables, code, argument in cases:
        body = await gql(api.url, query, keys["coordinator"], variables)
        assert error_codes(body) == [code], (variables, body)
        assert body["errors"][0]["extensions"]["argument"] == argument, body
    # Analysts may not; a coordinator of another region may not touch M1 (at S1, region R1).
    for key in ("analyst", "partner", "coordinator_r2"):
        body = await gql(api.url, SWAP, keys[key], {"m": "M1", "p": "+77015550099"})
        assert error_codes(body) == ["FORBIDDEN"], (key, body)
    body = await gql(api.url, MOVE, keys["coordinator_r2"], {"m": "M1", "s": ["S4"]})
    assert error_codes(body) == ["FORBIDDEN"], body
    assert await db.fetchval("SELECT phone FROM monitors WHERE id = 'M1'") == MONITOR_PHONE
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0
