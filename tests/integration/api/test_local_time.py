"""Each region's time zone through the API, turnout bucketed on each region's local clock, and a
region an hour behind the capital judged on its own hours from Kafka to the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, caught_up, produce, settled
from tests.integration.api.client import gql
from tests.integration.api.conftest import Api, api_settings, serve
from tests.support.factories import report, turnout

# Aktobe was UTC+5 on 4 March 2012, Almaty (the election's zone) UTC+6, Kamchatka UTC+12.
REGIONS = [
    ("AKT", "Aktobe Region", "Asia/Aqtobe"),
    ("ALA", "Almaty", None),
    ("KAM", "Kamchatka", "Asia/Kamchatka"),
]
AKT_OPEN = datetime(2012, 3, 4, 2, 0, tzinfo=UTC)  # 07:00 in Aktobe
KAM_OPEN = datetime(2012, 3, 3, 20, 0, tzinfo=UTC)  # 08:00 on 4 March in Kamchatka


@pytest.fixture
async def zoned(db: asyncpg.Connection) -> None:
    await db.executemany(
        "INSERT INTO regions (id, name, kind, timezone) VALUES ($1, $2, 'region', $3)", REGIONS
    )
    await db.executemany(
        "INSERT INTO stations (id, region_id, name, registered_voters) VALUES ($1, $2, $3, 1000)",
        [("AKT-1", "AKT", "School 1"), ("ALA-1", "ALA", "School 2"), ("KAM-1", "KAM", "School 3")],
    )
    await db.executemany(
        """INSERT INTO turnout_series (station_id, observed_at, ballots_issued, turnout_pct)
           VALUES ($1, $2, $3, $4)""",
        [
            ("AKT-1", AKT_OPEN + timedelta(minutes=30), 40, 4.0),  # 07:30 in Aktobe
            ("AKT-1", AKT_OPEN + timedelta(minutes=90), 90, 9.0),  # 08:30
            ("KAM-1", KAM_OPEN, 10, 1.0),  # 08:00 in Kamchatka: 4 March there, 3 March in UTC
            ("KAM-1", KAM_OPEN + timedelta(hours=11), 600, 60.0),  # 19:00, 4 March in UTC too
        ],
    )


@pytest.fixture
async def api(shared_settings: SharedSettings, zoned: None) -> AsyncIterator[Api]:
    async for running in serve(api_settings(shared_settings)):
        yield running


async def test_regions_and_stations_carry_their_zone_the_election_s_for_those_without(
    api: Api, keys: dict[str, str], shared_settings: SharedSettings
) -> None:
    query = (
        '{ defaultTimezone regions { id timezone } station(id: "AKT-1") { timezone region { timezone } } }'
    )
    body = await gql(api.url, query, keys["partner"])
    assert "errors" not in body, body
    assert body["data"] == {
        "defaultTimezone": "Asia/Almaty",
        "regions": [
            {"id": "AKT", "timezone": "Asia/Aqtobe"},
            {"id": "ALA", "timezone": "Asia/Almaty"},
            {"id": "KAM", "timezone": "Asia/Kamchatka"},
        ],
        "station": {"timezone": "Asia/Aqtobe", "region": {"timezone": "Asia/Aqtobe"}},
    }
    async for moscow in serve(api_settings(shared_settings, default_timezone="Europe/Moscow")):
        body = await gql(moscow.url, '{ defaultTimezone region(id: "ALA") { timezone } }', keys["partner"])
        assert body["data"] == {"defaultTimezone": "Europe/Moscow", "region": {"timezone": "Europe/Moscow"}}


async def test_turnout_is_bucketed_on_each_regions_own_clock(api: Api, keys: dict[str, str]) -> None:
    query = """{ akt: turnoutSeries(region: "AKT", bucketMinutes: 120) { at ballotsIssued }
                 station: turnoutSeries(station: "AKT-1", bucketMinutes: 120) { at ballotsIssued }
                 kam: turnoutSeries(region: "KAM", bucketMinutes: 1440) { at ballotsIssued } }"""
    body = await gql(api.url, query, keys["partner"])
    assert "errors" not in body, body
    # Two-hour buckets from Aktobe's midnight (06:00-08:00, 08:00-10:00), not from UTC's, which
    # would put 07:30 and 08:30 in one bucket from 07:00 local.
    local = [
        {"at": "2012-03-04T06:00:00+05:00", "ballotsIssued": 40},
        {"at": "2012-03-04T08:00:00+05:00", "ballotsIssued": 90},
    ]
    assert body["data"]["akt"] == body["data"]["station"] == local
    # Kamchatka's election day is one day on its own calendar, though it spans two UTC dates.
    assert body["data"]["kam"] == [{"at": "2012-03-04T00:00:00+12:00", "ballotsIssued": 600}]


# The real stack: reports through Kafka and the aggregator process, figures read through the API.
# 15 January 2012: polls open at 07:00 local, which is 01:00 UTC in Almaty (the election's zone,
# UTC+6) and 02:00 UTC in Aktobe (UTC+5), an hour behind the capital.
STACK = Registry(
    regions=(Region("ALA", "Almaty", "city"), Region("AKT", "Aktobe Region", "region", "Asia/Aqtobe")),
    stations=(
        Station("ALA-1", "ALA", "School 2", 1000),
        Station("AKT-1", "AKT", "School 1", 1000),
        Station("AKT-2", "AKT", "School 7", 1000),
    ),
)
AKTOBE_OPENS = datetime(2012, 1, 15, 2, 0, tzinfo=UTC)  # factories.ELECTION_DAY: minute 0


def stack_day() -> list[ev.Report]:
    """Every station ready the evening before; Almaty reports every 10 minutes from 07:10 local
    (the event clock); AKT-1 first reports at 07:45 Aktobe time, 105 minutes after Almaty's
    polls opened; AKT-2 never reports again."""
    ready = ev.Checklist(ev.ChecklistPhase.READINESS, {"station_ready": True})
    items = [report(ready, id=f"{s.id}-ready", station_id=s.id, minutes=-14 * 60) for s in STACK.stations]
    for minute in range(-50, 121, 10):
        items.append(turnout(10 * (minute + 60), id=f"ALA-1-{minute}", station_id="ALA-1", minutes=minute))
    items.append(turnout(40, id="AKT-1-0745", station_id="AKT-1", minutes=45))  # 07:45 in Aktobe
    items.append(turnout(90, id="AKT-1-0845", station_id="AKT-1", minutes=105))  # 08:45
    return sorted(items, key=lambda r: r.observed_at)


async def test_a_region_an_hour_behind_keeps_its_own_hours_through_the_whole_stack(
    shared_settings: SharedSettings, db: asyncpg.Connection, keys: dict[str, str], tmp_path: Path
) -> None:
    await store_registry(db, STACK)
    items = stack_day()
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        # One report at a time, each rolled up before the next: silence is judged at every step.
        # Generous deadlines: the machine may be busy.
        for n in range(1, len(items) + 1):
            await produce(shared_settings, items[n - 1 : n])
            await caught_up(db, items[:n], wait_s=180)
        snap = await settled(db, len(items), service, wait_s=240)

    # On Almaty's clock AKT-1 would have been silent from 08:30 (07:30 in Aktobe, half an hour
    # after its polls opened) until its 07:45 report; on its own it never was.
    silences = {a["station_id"]: a for a in snap["alerts"] if a["rule"] == "silent_station"}
    assert set(silences) == {"AKT-2"}
    # AKT-2 goes silent 90 minutes after 07:00 in Aktobe (03:30 UTC), not after 07:00 in Almaty.
    opened = await db.fetchval("SELECT opened_at FROM alerts WHERE id = 'silent_station:AKT-2'")
    assert AKTOBE_OPENS + timedelta(minutes=90) <= opened < AKTOBE_OPENS + timedelta(minutes=100)

    async for api in serve(api_settings(shared_settings)):
        query = """{ region(id: "AKT") { timezone }
                     akt: turnoutSeries(region: "AKT", bucketMinutes: 120) { at ballotsIssued }
                     station(id: "AKT-1") { timezone stats { silent } } }"""
        body = await gql(api.url, query, keys["partner"])
    assert "errors" not in body, body
    data = body["data"]
    assert data["region"] == {"timezone": "Asia/Aqtobe"}
    assert data["station"] == {"timezone": "Asia/Aqtobe", "stats": {"silent": False}}
    # 07:45 and 08:45 in Aktobe fall in its 06:00 and 08:00 two-hour buckets; on Almaty's clock
    # (08:45, 09:45) both would be in one.
    assert data["akt"] == [
        {"at": "2012-01-15T06:00:00+05:00", "ballotsIssued": 40},
        {"at": "2012-01-15T08:00:00+05:00", "ballotsIssued": 90},
    ]
