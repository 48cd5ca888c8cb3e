"""Each role sees exactly what its scope allows, field by field; keys and limits are enforced."""

from __future__ import annotations

import pytest

from tests.integration.api.client import error_codes, gql, post
from tests.integration.api.conftest import Api
from tests.integration.api.seed import INCIDENT_TEXT, MONITOR_NAME, MONITOR_PHONE

ROLES = ("public", "partner", "analyst", "coordinator", "admin")

# (query, lowest role allowed): every field that needs more than the public role.
FIELDS: list[tuple[str, str]] = [
    ("{ regions { id name stationCount stats { turnoutPct } } }", "public"),
    ('{ region(id: "R1") { name stats { openAlerts incidentsTotal } } }', "public"),
    ("{ overview { national { turnoutPct } openAlerts { total } } }", "public"),
    ('{ turnoutSeries(region: "R1") { ballotsIssued } }', "public"),
    ('{ station(id: "S1") { name stats { turnoutPct } } }', "partner"),
    ("{ stations { nodes { id } } }", "partner"),
    ("{ alerts { nodes { id message } } }", "partner"),
    ('{ turnoutSeries(station: "S1") { ballotsIssued } }', "partner"),
    ('{ station(id: "S1") { incidents { violation reportId } } }', "partner"),
    ('{ station(id: "S1") { incidents { description } } }', "analyst"),
    ('{ station(id: "S1") { monitors { id } } }', "analyst"),
    ('{ station(id: "S1") { monitors { displayName } } }', "coordinator"),
    ('{ station(id: "S1") { monitors { phone } } }', "coordinator"),
    ("{ alerts { nodes { actions { org } } } }", "analyst"),
    ("{ reports { nodes { id body } } }", "analyst"),
    ("{ reports { nodes { monitorId monitor { id active } } } }", "analyst"),
    ("{ reports { nodes { monitor { displayName } } } }", "coordinator"),
    ('mutation { acknowledgeAlert(id: "A1") { id } }', "coordinator"),
    ('mutation { resolveAlert(id: "A2") { id } }', "coordinator"),
]


@pytest.mark.parametrize(("query", "lowest"), FIELDS)
async def test_field_access_per_role(api: Api, keys: dict[str, str], query: str, lowest: str) -> None:
    assert lowest in ROLES
    for role in ROLES:
        body = await gql(api.url, query, keys[role])
        allowed = ROLES.index(role) >= ROLES.index(lowest)
        if allowed:
            assert "errors" not in body, (role, body)
        else:
            assert error_codes(body), (role, body)
            assert set(error_codes(body)) == {"FORBIDDEN"}, (role, body)
            assert " role (this key is " + role + ")" in body["errors"][0]["message"]


async def test_partners_and_analysts_never_see_a_monitor_identity(api: Api, keys: dict[str, str]) -> None:
    """Every path that leads to a monitor's name or phone, for partners (with the widest partner
    scope) and analysts; the same paths name the monitor for a coordinator."""
    paths = [
        '{ station(id: "S1") { monitors { displayName phone } } }',
        "{ stations { nodes { monitors { displayName } } } }",
        "{ reports { nodes { monitorId } } }",
        "{ reports { nodes { monitor { phone } } } }",
        "{ alerts { nodes { station { monitors { displayName phone } } } } }",
        '{ station(id: "S1") { incidents { reportId description violation } } }',
    ]
    for key in (keys["partner"], keys["partner_texts"]):
        for query in paths:
            response = await post(api.url, query, key)
            assert response.status_code == 200
            assert MONITOR_NAME not in response.text, query
            assert MONITOR_PHONE not in response.text, query
            assert "M1" not in response.text, query
    identity_paths = [p for p in paths if "displayName" in p or "phone" in p]
    for query in identity_paths:
        analyst = await post(api.url, query, keys["analyst"])
        assert analyst.status_code == 200
        assert MONITOR_NAME not in analyst.text, query
        assert MONITOR_PHONE not in analyst.text, query
    coordinator = await post(
        api.url, '{ station(id: "S1") { monitors { displayName phone } } }', keys["coordinator"]
    )
    assert MONITOR_NAME in coordinator.text
    assert MONITOR_PHONE in coordinator.text


async def test_incident_texts_follow_the_partner_keys_scope(api: Api, keys: dict[str, str]) -> None:
    query = '{ station(id: "S1") { incidents { violation description } } }'
    without = await gql(api.url, query, keys["partner"])
    assert error_codes(without) == ["FORBIDDEN"]
    assert INCIDENT_TEXT not in str(without)
    allowed = await gql(api.url, query, keys["partner_texts"])
    assert allowed["data"]["station"]["incidents"] == [
        {"violation": "ballot_stuffing", "description": INCIDENT_TEXT}
    ]


async def test_missing_unknown_and_revoked_keys_are_refused(api: Api, keys: dict[str, str]) -> None:
    query = "{ regions { id } }"
    missing = await post(api.url, query, None)
    assert (missing.status_code, "API key is required" in missing.text) == (401, True)
    unknown = await post(api.url, query, "pw_000000000000_notakey")
    assert (unknown.status_code, unknown.text) == (401, "unknown API key")
    wrong_secret = await post(api.url, query, keys["partner"] + "x")
    assert (wrong_secret.status_code, wrong_secret.text) == (401, "unknown API key")
    revoked = await post(api.url, query, keys["revoked"])
    assert (revoked.status_code, revoked.text) == (401, "API key revoked")
    malformed = await post(api.url, query, "hello")
    assert (malformed.status_code, malformed.text) == (401, "malformed API key")


async def test_over_deep_query_is_refused_with_a_clear_error(api: Api, keys: dict[str, str]) -> None:
    at_limit = "{ reports { nodes { station { region { id } } } } }"
    ok = await gql(api.url, at_limit, keys["analyst"])
    assert "errors" not in ok, ok
    too_deep = "{ alerts { nodes { station { region { stats { openAlerts } } } } } }"
    body = await gql(api.url, too_deep, keys["analyst"])
    assert body["data"] is None
    assert body["errors"][0]["message"] == "'anonymous' exceeds maximum operation depth of 4"


async def test_alias_bomb_is_refused_with_a_clear_error(api: Api, keys: dict[str, str]) -> None:
    bomb = "{ " + " ".join(f"a{i}: overview {{ openAlerts {{ total }} }}" for i in range(50)) + " }"
    body = await gql(api.url, bomb, keys["public"])
    assert body["data"] is None
    assert body["errors"][0]["message"] == "50 aliases found. Allowed: 10"


async def test_token_flood_is_refused(api: Api, keys: dict[str, str]) -> None:
    flood = "{ regions { " + " ".join(["id"] * 3000) + " } }"
    body = await gql(api.url, flood, keys["public"])
    assert body["data"] is None
    assert "more than 2000 tokens" in body["errors"][0]["message"]


async def alert_actions(api: Api, key: str, station: str, alert_id: str) -> tuple[str, list[dict[str, str]]]:
    query = "query($s: ID) { alerts(station: $s) { nodes { id state actions { action org note } } } }"
    body = await gql(api.url, query, key, {"s": station})
    found = next(a for a in body["data"]["alerts"]["nodes"] if a["id"] == alert_id)
    return found["state"], found["actions"]


async def test_a_region_scoped_coordinator_decides_alerts_of_its_regions_only(
    api: Api, keys: dict[str, str]
) -> None:
    """A1 is in R1, A3 in R2: the R2 coordinator resolves A3 with a note and may not touch A1."""
    for mutation in ("acknowledgeAlert", "resolveAlert"):
        body = await gql(
            api.url,
            f'mutation {{ {mutation}(id: "A1", note: "seen") {{ id state }} }}',
            keys["coordinator_r2"],
        )
        assert error_codes(body) == ["FORBIDDEN"], body
        assert "outside this key's regions" in body["errors"][0]["message"]
    assert (await alert_actions(api, keys["admin"], "S1", "A1")) == ("OPEN", [])

    body = await gql(
        api.url,
        'mutation { resolveAlert(id: "A3", note: "checked on site") { id state } }',
        keys["coordinator_r2"],
    )
    assert body.get("data", {}).get("resolveAlert") == {"id": "A3", "state": "RESOLVED"}, body
    assert (await alert_actions(api, keys["admin"], "S4", "A3")) == (
        "RESOLVED",
        [{"action": "resolve", "org": "org-coordinator_r2", "note": "checked on site"}],
    )
    # An alert that does not exist is NOT_FOUND for a scoped key too, not a leak of its region.
    body = await gql(api.url, 'mutation { acknowledgeAlert(id: "nope") { id } }', keys["coordinator_r2"])
    assert error_codes(body) == ["NOT_FOUND"], body
