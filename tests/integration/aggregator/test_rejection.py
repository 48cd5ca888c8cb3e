"""A report a coordinator rejects leaves the figures: the API publishes the decision, the
aggregator recomputes the station from its remaining reports, and the station's and region's
figures (PostgreSQL and GraphQL) follow; un-rejecting it brings it back. Real Kafka,
PostgreSQL, the aggregator as a process and the API on a port."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import asyncpg

from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, caught_up, produce
from tests.integration.api.client import gql
from tests.integration.api.conftest import api_settings, serve
from tests.support import factories as f
from tests.support.waits import PIPELINE_S

REGISTRY = Registry(
    (Region("R1", "Region one"),),
    (Station("S01", "R1", "station S01", 1000), Station("S02", "R1", "station S02", 1000)),
)
REPORTS: list[ev.Report | bytes] = [
    f.turnout(100, 3, id="S01-t60", station_id="S01", minutes=60),
    f.turnout(200, 6, id="S01-t120", station_id="S01", minutes=120),
    f.report(ev.Incident(ev.ViolationType.BALLOT_STUFFING), id="S01-i130", station_id="S01", minutes=130),
    # A mistaken figure (a typed 900 for 290): the one the coordinator rejects.
    f.turnout(900, 9, id="S01-t180", station_id="S01", minutes=180),
    f.turnout(50, 0, id="S02-t60", station_id="S02", minutes=60),
    f.turnout(300, 0, id="S02-t180", station_id="S02", minutes=180),
]
VERIFY = """mutation($id: ID!, $state: VerificationState!) {
  verify(kind: REPORT, id: $id, state: $state, note: "call-back") { state } }"""
FIGURES = """{ station(id: "S01") { stats { ballotsIssued turnoutPct reportsProcessed incidentsTotal } }
  region(id: "R1") { stats { ballotsIssued incidentsPer100Stations } } }"""


async def _key(db: asyncpg.Connection) -> str:
    new = generate_key()
    await key_sql.insert_key(db, new.id, hash_secret(new.secret), "coordinator", "org-desk", False, None)
    return new.token


async def _figures(db: asyncpg.Connection) -> tuple[Any, ...]:
    station = await db.fetchrow(
        """SELECT ballots_issued, reports_processed, incidents_total::text
           FROM station_stats WHERE station_id = 'S01'"""
    )
    region = await db.fetchrow(
        "SELECT ballots_issued, incidents_per_100_stations FROM region_stats WHERE region_id = 'R1'"
    )
    assert station is not None
    assert region is not None
    return (
        station["ballots_issued"],
        station["reports_processed"],
        station["incidents_total"],
        region["ballots_issued"],
        region["incidents_per_100_stations"],
    )


async def _until(db: asyncpg.Connection, expected: tuple[Any, ...], wait_s: float = PIPELINE_S) -> None:
    deadline = time.monotonic() + wait_s
    while (seen := await _figures(db)) != expected:
        assert time.monotonic() < deadline, f"figures {seen}, expected {expected}"
        await asyncio.sleep(0.2)


async def test_rejected_reports_leave_the_station_and_region_figures_and_come_back(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    key = await _key(db)
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        await produce(shared_settings, REPORTS)
        await caught_up(db, REPORTS)
        await _until(db, (900, 4, '{"BALLOT_STUFFING": 1}', 1200, 50.0))
        async for api in serve(api_settings(shared_settings)):
            answer = await gql(api.url, VERIFY, key, {"id": "S01-t180", "state": "REJECTED"})
            assert answer["data"]["verify"] == {"state": "REJECTED"}, answer
            await _until(db, (200, 3, '{"BALLOT_STUFFING": 1}', 500, 50.0))
            body = await gql(api.url, FIGURES, key)
            assert body["data"] == {
                "station": {
                    "stats": {
                        "ballotsIssued": 200,
                        "turnoutPct": 20.0,
                        "reportsProcessed": 3,
                        "incidentsTotal": {"BALLOT_STUFFING": 1},
                    }
                },
                "region": {"stats": {"ballotsIssued": 500, "incidentsPer100Stations": 50.0}},
            }
            series = await db.fetch(
                "SELECT ballots_issued FROM turnout_series WHERE station_id = 'S01' ORDER BY observed_at"
            )
            assert [r["ballots_issued"] for r in series] == [100, 200]

            # The grave incident rejected too: its alert resolves, the incident leaves the region.
            await gql(api.url, VERIFY, key, {"id": "S01-i130", "state": "REJECTED"})
            await _until(db, (200, 2, "{}", 500, 0.0))
            body = await gql(api.url, FIGURES, key)
            assert body["data"]["region"]["stats"] == {"ballotsIssued": 500, "incidentsPer100Stations": 0.0}
            deadline = time.monotonic() + 30
            while await db.fetchval("SELECT state FROM alerts WHERE id = 'grave_incident:S01'") != "resolved":
                assert time.monotonic() < deadline, "grave_incident:S01 still open"
                await asyncio.sleep(0.2)

            # Un-rejected (back to unverified), the figure counts again.
            await gql(api.url, VERIFY, key, {"id": "S01-t180", "state": "UNVERIFIED"})
            await _until(db, (900, 3, "{}", 1200, 0.0))
            body = await gql(api.url, FIGURES, key)
            assert body["data"]["station"]["stats"]["ballotsIssued"] == 900
            assert body["data"]["region"]["stats"]["ballotsIssued"] == 1200

            # The grave incident un-rejected: it counts again and opens its alert anew.
            await gql(api.url, VERIFY, key, {"id": "S01-i130", "state": "VERIFIED"})
            await _until(db, (900, 4, '{"BALLOT_STUFFING": 1}', 1200, 50.0))
            deadline = time.monotonic() + 30
            query = "SELECT state FROM alerts WHERE id = 'grave_incident:S01:2'"
            while await db.fetchval(query) != "open":
                assert time.monotonic() < deadline, "grave_incident:S01 not reopened"
                await asyncio.sleep(0.2)
