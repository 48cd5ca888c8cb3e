"""Every query and mutation against real PostgreSQL (rows inserted directly)."""

from __future__ import annotations

import asyncpg

from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api
from tests.integration.api.seed import MONITOR_NAME


async def test_station_by_id_with_stats_region_and_status(api: Api, keys: dict[str, str]) -> None:
    body = await gql(
        api.url,
        """{ station(id: "S1") { id name district registeredVoters status region { id name }
               stats { ballotsIssued turnoutPct openAlerts incidentsTotal silent } }
             missing: station(id: "nope") { id } }""",
        keys["partner"],
    )
    assert "errors" not in body, body
    assert body["data"]["station"] == {
        "id": "S1",
        "name": "School 1",
        "district": "D1",
        "registeredVoters": 1000,
        "status": "REPORTING",
        "region": {"id": "R1", "name": "Almaty region"},
        "stats": {
            "ballotsIssued": 300,
            "turnoutPct": 30.0,
            "openAlerts": 1,
            "incidentsTotal": {"ballot_stuffing": 1},
            "silent": False,
        },
    }
    assert body["data"]["missing"] is None


async def test_stations_pages_filters_and_orders(api: Api, keys: dict[str, str]) -> None:
    query = """query($after: String, $first: Int, $order: StationOrder!, $region: ID, $status: StationStatus,
                     $alerts: Boolean) {
        stations(first: $first, after: $after, orderBy: $order, region: $region, status: $status,
                 hasOpenAlerts: $alerts) { nodes { id } pageInfo { endCursor hasNextPage } } }"""

    async def page(**variables: object) -> dict[str, object]:
        base: dict[str, object] = {"order": "ID", "first": 2}
        body = await gql(api.url, query, keys["partner"], base | variables)
        assert "errors" not in body, body
        result: dict[str, object] = body["data"]["stations"]
        return result

    first = await page()
    assert first["nodes"] == [{"id": "S1"}, {"id": "S2"}]
    assert first["pageInfo"]["hasNextPage"] is True  # type: ignore[index]
    second = await page(after=first["pageInfo"]["endCursor"])  # type: ignore[index]
    assert second["nodes"] == [{"id": "S3"}, {"id": "S4"}]
    assert second["pageInfo"]["hasNextPage"] is False  # type: ignore[index]

    by_turnout = await page(order="TURNOUT_DESC", first=3)
    assert by_turnout["nodes"] == [{"id": "S4"}, {"id": "S1"}, {"id": "S2"}]
    rest = await page(order="TURNOUT_DESC", first=3, after=by_turnout["pageInfo"]["endCursor"])  # type: ignore[index]
    assert rest["nodes"] == [{"id": "S3"}]

    assert (await page(region="R2"))["nodes"] == [{"id": "S4"}]
    assert (await page(status="SILENT"))["nodes"] == [{"id": "S2"}]
    assert (await page(status="NO_DATA"))["nodes"] == [{"id": "S3"}]
    assert (await page(alerts=True))["nodes"] == [{"id": "S1"}]


async def test_stations_behind_a_findings_cell(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await db.execute(
        """UPDATE station_stats SET incidents_total = '{"BALLOT_SECRECY": 2}',
               checklist = '{"opening.ballot_boxes_sealed": false, "opening.voter_list_available": true}'
           WHERE station_id = 'S4'"""
    )
    await db.execute(
        """UPDATE station_stats SET checklist = '{"opening.ballot_boxes_sealed": true}'
           WHERE station_id = 'S1'"""
    )
    query = """query($violation: String, $no: String) {
        stations(violation: $violation, checklistNo: $no) { nodes { id } } }"""

    async def ids(**variables: object) -> list[str]:
        body = await gql(api.url, query, keys["partner"], variables)
        assert "errors" not in body, body
        return [n["id"] for n in body["data"]["stations"]["nodes"]]

    # Keys written as codes (seed) and as names (above) both count, as the findings do.
    assert await ids(violation="ballot_stuffing") == ["S1", "S2"]
    assert await ids(violation="ballot_secrecy") == ["S4"]
    assert await ids(violation="family_voting") == []
    assert await ids(no="opening.ballot_boxes_sealed") == ["S4"]
    assert await ids(no="opening.voter_list_available") == []

    body = await gql(api.url, query, keys["partner"], {"violation": "stuffing"})
    assert error_codes(body) == ["INVALID_ARGUMENT"]
    assert "unknown violation 'stuffing'" in body["errors"][0]["message"]
    body = await gql(api.url, query, keys["partner"], {"no": "ballot_boxes_sealed"})
    assert error_codes(body) == ["INVALID_ARGUMENT"]
    assert "unknown checklist question 'ballot_boxes_sealed'" in body["errors"][0]["message"]


async def test_page_size_is_capped_with_a_clear_error(api: Api, keys: dict[str, str]) -> None:
    body = await gql(api.url, "{ stations(first: 101) { nodes { id } } }", keys["partner"])
    assert error_codes(body) == ["INVALID_ARGUMENT"]
    assert "first must be between 1 and 100" in body["errors"][0]["message"]


async def test_regions_and_overview(api: Api, keys: dict[str, str]) -> None:
    body = await gql(
        api.url,
        """{ regions { id name kind stationCount stats { turnoutPct stationsReporting } }
             region(id: "R2") { name stationCount }
             overview { national { turnoutPct stationsReporting stationsSilent stationsTotal }
                        openAlerts { info warning critical total } } }""",
        keys["public"],
    )
    assert "errors" not in body, body
    data = body["data"]
    assert data["regions"] == [
        {"id": "R1", "name": "Almaty region", "kind": "region", "stationCount": 3,
         "stats": {"turnoutPct": 14.29, "stationsReporting": 1}},
        {"id": "R2", "name": "Astana", "kind": "city", "stationCount": 1,
         "stats": {"turnoutPct": 50.0, "stationsReporting": 1}},
    ]  # fmt: skip
    assert data["region"] == {"name": "Astana", "stationCount": 1}
    assert data["overview"] == {
        "national": {"turnoutPct": 25.0, "stationsReporting": 2, "stationsSilent": 1, "stationsTotal": 4},
        "openAlerts": {"info": 0, "warning": 1, "critical": 1, "total": 2},
    }


async def test_alerts_filters_and_pages(api: Api, keys: dict[str, str]) -> None:
    query = """query($state: AlertState, $severity: Severity, $rule: String, $region: ID, $station: ID,
                     $since: DateTime, $after: String) {
        alerts(state: $state, severity: $severity, rule: $rule, region: $region, station: $station,
               since: $since, after: $after, first: 1) {
          nodes { id severity state stationId station { id } reportIds }
          pageInfo { endCursor hasNextPage } } }"""

    async def ids(**variables: object) -> list[str]:
        body = await gql(api.url, query, keys["partner"], dict(variables))
        assert "errors" not in body, body
        return [n["id"] for n in body["data"]["alerts"]["nodes"]]

    body = await gql(api.url, query, keys["partner"], {})
    first = body["data"]["alerts"]
    assert first["nodes"] == [
        {
            "id": "A2",
            "severity": "CRITICAL",
            "state": "OPEN",
            "stationId": "S2",
            "station": {"id": "S2"},
            "reportIds": [],
        }
    ]
    assert await ids(after=first["pageInfo"]["endCursor"]) == ["A1"]
    assert await ids(state="RESOLVED") == ["A3"]
    assert await ids(severity="WARNING") == ["A1"]
    assert await ids(rule="turnout_spike", region="R2") == ["A3"]
    assert await ids(station="S1") == ["A1"]
    assert await ids(since="2024-03-01T10:30:00+00:00") == ["A2"]


async def test_reports_for_coordinators_with_monitor_identity(api: Api, keys: dict[str, str]) -> None:
    body = await gql(
        api.url,
        """{ reports(station: "S1", first: 2) { nodes { id kind body monitorId monitor { displayName phone } }
                                                pageInfo { hasNextPage endCursor } } }""",
        keys["coordinator"],
    )
    assert "errors" not in body, body
    nodes = body["data"]["reports"]["nodes"]
    assert [n["id"] for n in nodes] == ["r3", "r2"]
    assert nodes[0]["monitor"]["displayName"] == MONITOR_NAME
    assert nodes[0]["monitorId"] == "M1"
    assert nodes[0]["body"] == {"ballots_issued": 300}
    body = await gql(
        api.url, "{ reports(kind: INCIDENT) { nodes { id station { name } } } }", keys["analyst"]
    )
    assert body["data"]["reports"]["nodes"] == [{"id": "r2", "station": {"name": "School 1"}}]


async def test_turnout_series_for_station_and_region(api: Api, keys: dict[str, str]) -> None:
    body = await gql(
        api.url,
        """{ s: turnoutSeries(station: "S1", bucketMinutes: 60) { at ballotsIssued turnoutPct }
             r: turnoutSeries(region: "R1", bucketMinutes: 60) { at ballotsIssued turnoutPct } }""",
        keys["partner"],
    )
    assert "errors" not in body, body
    # R1 has no zone of its own: the election's, Asia/Almaty (UTC+5 from that very day).
    assert body["data"]["s"] == [
        {"at": "2024-03-01T14:00:00+05:00", "ballotsIssued": 150, "turnoutPct": 15.0},
        {"at": "2024-03-01T15:00:00+05:00", "ballotsIssued": 300, "turnoutPct": 30.0},
    ]
    # S2's 200 at 14:10 counts from the 14:00 bucket on; R1 has 3,500 registered voters.
    assert body["data"]["r"] == [
        {"at": "2024-03-01T14:00:00+05:00", "ballotsIssued": 350, "turnoutPct": 10.0},
        {"at": "2024-03-01T15:00:00+05:00", "ballotsIssued": 500, "turnoutPct": 14.2857},
    ]
    bad = await gql(api.url, '{ turnoutSeries(station: "S1", region: "R1") { at } }', keys["partner"])
    assert error_codes(bad) == ["INVALID_ARGUMENT"]


async def test_ops_mutations_record_who_and_when(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    ack = await gql(
        api.url,
        'mutation { acknowledgeAlert(id: "A1", note: "on it") { id state acknowledged } }',
        keys["admin"],
    )
    assert ack["data"]["acknowledgeAlert"] == {"id": "A1", "state": "OPEN", "acknowledged": True}
    resolved = await gql(
        api.url,
        'mutation { resolveAlert(id: "A1", note: "false alarm") '
        "{ state resolvedAt actions { action org note at } } }",
        keys["admin"],
    )
    alert = resolved["data"]["resolveAlert"]
    assert alert["state"] == "RESOLVED"
    assert alert["resolvedAt"] is not None
    assert [(a["action"], a["org"], a["note"]) for a in alert["actions"]] == [
        ("acknowledge", "org-admin", "on it"),
        ("resolve", "org-admin", "false alarm"),
    ]
    row = await db.fetchrow("SELECT state FROM alerts WHERE id = 'A1'")
    assert row is not None
    assert row["state"] == "resolved"
    missing = await gql(api.url, 'mutation { resolveAlert(id: "nope") { id } }', keys["admin"])
    assert error_codes(missing) == ["NOT_FOUND"]
    for role in ("partner", "analyst"):
        refused = await gql(api.url, 'mutation { acknowledgeAlert(id: "A2") { id } }', keys[role])
        assert error_codes(refused) == ["FORBIDDEN"]
    assert await db.fetchval("SELECT count(*) FROM alert_actions WHERE alert_id = 'A2'") == 0
