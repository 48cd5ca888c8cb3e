"""The coordinators' desk on real PostgreSQL: the review queue's order and scope, verification
decisions and claims (each audited), and partner keys set to read verified items only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from services.common.infra.settings import SharedSettings
from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api
from tests.integration.api.seed import T0
from tests.integration.api.test_audit_log import command

QUEUE = """query($region: ID, $states: [VerificationState!], $unclaimed: Boolean!) {
  reviewQueue(region: $region, states: $states, unclaimed: $unclaimed) {
    kind id regionId type priority state decidedBy note claimedBy } }"""
VERIFY = """mutation($kind: ReviewKind!, $id: ID!, $state: VerificationState!, $note: String!) {
  verify(kind: $kind, id: $id, state: $state, note: $note) { kind id state decidedBy note claimedBy } }"""
CLAIM = "mutation($kind: ReviewKind!, $id: ID!) { claimReviewItem(kind: $kind, id: $id) { id claimedBy } }"
ALERTS = "{ alerts { nodes { id verification } } }"


def actor(keys: dict[str, str], name: str) -> str:
    return f"api:org-{name}:{keys[name].split('_')[1]}"


async def decide(api: Api, key: str, kind: str, item: str, state: str, note: str = "") -> dict[str, Any]:
    return await gql(api.url, VERIFY, key, {"kind": kind, "id": item, "state": state, "note": note})


async def queue(api: Api, key: str, unclaimed: bool = False, **variables: Any) -> list[tuple[str, str]]:
    body = await gql(api.url, QUEUE, key, {"unclaimed": unclaimed, **variables})
    assert "errors" not in body, body
    return [(i["kind"], i["id"]) for i in body["data"]["reviewQueue"]]


async def test_the_queue_puts_grave_items_first_then_the_oldest_within_the_keys_regions(
    api: Api, keys: dict[str, str]
) -> None:
    # r2 is a ballot-stuffing incident, A2 a critical alert; the rest by time (A3 and r1 at +1h).
    assert await queue(api, keys["coordinator"]) == [
        ("REPORT", "r2"),
        ("ALERT", "A2"),
        ("ALERT", "A3"),
        ("REPORT", "r1"),
        ("ALERT", "A1"),
        ("REPORT", "r3"),
        ("REPORT", "r4"),
    ]
    assert await queue(api, keys["coordinator_r2"]) == [("ALERT", "A3"), ("REPORT", "r4")]
    assert await queue(api, keys["coordinator"], region="R2") == [("ALERT", "A3"), ("REPORT", "r4")]
    refused = await gql(api.url, QUEUE, keys["coordinator_r2"], {"region": "R1", "unclaimed": False})
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(await gql(api.url, QUEUE, keys["analyst"], {"unclaimed": False})) == ["FORBIDDEN"]


async def test_a_decision_is_recorded_with_who_and_why_and_leaves_the_queue(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    body = await gql(
        api.url,
        VERIFY,
        keys["coordinator"],
        {"kind": "REPORT", "id": "r2", "state": "VERIFIED", "note": "photo"},
    )
    assert body["data"]["verify"] == {
        "kind": "REPORT",
        "id": "r2",
        "state": "VERIFIED",
        "decidedBy": actor(keys, "coordinator"),
        "note": "photo",
        "claimedBy": None,
    }
    assert ("REPORT", "r2") not in await queue(api, keys["coordinator"])
    assert await queue(api, keys["coordinator"], states=["VERIFIED"]) == [("REPORT", "r2")]
    outside = await gql(
        api.url,
        VERIFY,
        keys["coordinator_r2"],
        {"kind": "ALERT", "id": "A1", "state": "REJECTED", "note": ""},
    )
    assert error_codes(outside) == ["FORBIDDEN"]
    missing = await decide(api, keys["coordinator"], "ALERT", "A9", "REJECTED")
    assert error_codes(missing) == ["NOT_FOUND"]
    audited = await db.fetch("SELECT actor, action, subject, details FROM audit_log")
    assert [(r["actor"], r["action"], r["subject"]) for r in audited] == [
        (actor(keys, "coordinator"), "report.verified", "r2")
    ]
    assert await db.fetchval("SELECT verification FROM alerts WHERE id = 'A1'") == "unverified"


async def test_a_claimed_item_is_not_taken_by_another_coordinator_until_decided(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    mine = await gql(api.url, CLAIM, keys["coordinator"], {"kind": "ALERT", "id": "A2"})
    assert mine["data"]["claimReviewItem"] == {"id": "A2", "claimedBy": actor(keys, "coordinator")}
    theirs = await gql(api.url, CLAIM, keys["admin"], {"kind": "ALERT", "id": "A2"})
    assert error_codes(theirs) == ["CONFLICT"]
    assert theirs["errors"][0]["extensions"]["claimedBy"] == actor(keys, "coordinator")
    assert ("ALERT", "A2") not in await queue(api, keys["admin"], unclaimed=True)
    assert ("ALERT", "A2") in await queue(api, keys["coordinator"], unclaimed=True)
    await gql(
        api.url,
        VERIFY,
        keys["coordinator"],
        {"kind": "ALERT", "id": "A2", "state": "QUARANTINED", "note": ""},
    )
    assert ("ALERT", "A2") in await queue(api, keys["admin"], unclaimed=True)  # still open, no longer claimed
    again = await gql(api.url, CLAIM, keys["admin"], {"kind": "ALERT", "id": "A2"})
    assert again["data"]["claimReviewItem"]["claimedBy"] == actor(keys, "admin")
    actions = await db.fetch("SELECT actor, action FROM audit_log ORDER BY id")
    assert [(r["actor"], r["action"]) for r in actions] == [
        (actor(keys, "coordinator"), "alert.claimed"),
        (actor(keys, "coordinator"), "alert.quarantined"),
        (actor(keys, "admin"), "alert.claimed"),
    ]


async def test_partners_never_see_rejected_or_quarantined_alerts_and_verified_only_keys_see_verified_ones(
    api: Api, keys: dict[str, str], shared_settings: SharedSettings, db: asyncpg.Connection
) -> None:
    async def partner_alerts() -> list[tuple[str, str]]:
        body = await gql(api.url, ALERTS, keys["partner"])
        return sorted((n["id"], n["verification"]) for n in body["data"]["alerts"]["nodes"])

    assert await partner_alerts() == [("A1", "UNVERIFIED"), ("A2", "UNVERIFIED"), ("A3", "UNVERIFIED")]
    for alert, state in (("A1", "REJECTED"), ("A2", "QUARANTINED"), ("A3", "VERIFIED")):
        await gql(
            api.url, VERIFY, keys["coordinator"], {"kind": "ALERT", "id": alert, "state": state, "note": ""}
        )
    assert await partner_alerts() == [("A3", "VERIFIED")]
    await gql(
        api.url,
        VERIFY,
        keys["coordinator"],
        {"kind": "ALERT", "id": "A1", "state": "UNVERIFIED", "note": "undo"},
    )
    assert await partner_alerts() == [("A1", "UNVERIFIED"), ("A3", "VERIFIED")]

    key_id = keys["partner"].split("_")[1]
    changed = await command(shared_settings, "keys", "set", key_id, "--verified-only")
    assert changed.exit_code == 0, changed.output
    await db.execute("SELECT pg_sleep(0.3)")  # past the API's key cache (0.2 s in these tests)
    assert await partner_alerts() == [("A3", "VERIFIED")]
    analyst = await gql(api.url, ALERTS, keys["analyst"])
    assert len(analyst["data"]["alerts"]["nodes"]) == 3  # analysts and above read every state
    [setting] = await db.fetch("SELECT action, details FROM audit_log WHERE subject = $1", key_id)
    assert setting["action"] == "key.setting_changed"
    assert setting["details"] == '{"verified_only": {"to": true, "from": false}}'
    assert (await command(shared_settings, "keys", "set", "nope", "--all-reports")).exit_code == 1


async def test_verified_only_lists_and_a_partners_station_incidents_follow_the_decisions(
    api: Api, keys: dict[str, str]
) -> None:
    reports = "{ reports(verifiedOnly: true) { nodes { id } } }"
    alerts = "{ alerts(verifiedOnly: true) { nodes { id } } }"
    incidents = '{ station(id: "S1") { incidents { id: reportId } } }'

    async def ids(query: str, key: str, *path: str) -> list[str]:
        body = await gql(api.url, query, key)
        assert "errors" not in body, body
        found: Any = body["data"]
        for step in path:
            found = found[step]
        return sorted(n["id"] for n in found)

    assert await ids(reports, keys["analyst"], "reports", "nodes") == []
    assert await ids(incidents, keys["partner"], "station", "incidents") == ["r2"]
    await decide(api, keys["coordinator"], "REPORT", "r1", "VERIFIED")
    await decide(api, keys["coordinator"], "REPORT", "r2", "REJECTED")
    await decide(api, keys["coordinator"], "ALERT", "A3", "VERIFIED")
    assert await ids(reports, keys["analyst"], "reports", "nodes") == ["r1"]
    assert await ids(alerts, keys["partner"], "alerts", "nodes") == ["A3"]
    assert await ids(alerts, keys["analyst"], "alerts", "nodes") == ["A3"]
    # A rejected incident is gone for partners; analysts still read it, with its state.
    assert await ids(incidents, keys["partner"], "station", "incidents") == []
    assert await ids(incidents, keys["analyst"], "station", "incidents") == ["r2"]


CALL_BACK = """mutation($kind: ReviewKind!, $id: ID!, $outcome: CallBackOutcome!, $note: String!) {
  recordCallBack(kind: $kind, id: $id, outcome: $outcome, note: $note) {
    id callBack callBackBy callBackNote claimedBy } }"""


async def test_a_call_back_outcome_is_recorded_audited_and_shown_in_the_queue(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await gql(api.url, CLAIM, keys["coordinator"], {"kind": "REPORT", "id": "r2"})
    variables = {"kind": "REPORT", "id": "r2", "outcome": "NO_ANSWER", "note": "rang twice"}
    body = await gql(api.url, CALL_BACK, keys["coordinator"], variables)
    me = actor(keys, "coordinator")
    assert body["data"]["recordCallBack"] == {
        "id": "r2",
        "callBack": "NO_ANSWER",
        "callBackBy": me,
        "callBackNote": "rang twice",
        "claimedBy": me,  # the claim stays until the decision
    }
    body = await gql(
        api.url, CALL_BACK, keys["coordinator"], variables | {"outcome": "CONFIRMED", "note": ""}
    )
    assert body["data"]["recordCallBack"]["callBack"] == "CONFIRMED"
    listed = await gql(api.url, "{ reviewQueue(kind: REPORT) { id callBack } }", keys["coordinator"])
    assert {"id": "r2", "callBack": "CONFIRMED"} in listed["data"]["reviewQueue"]
    audited = await db.fetch(
        "SELECT action, details FROM audit_log WHERE action = 'report.called_back' ORDER BY id"
    )
    assert [orjson.loads(r["details"]) for r in audited] == [
        {"outcome": "no_answer", "from": None, "note": "rang twice"},
        {"outcome": "confirmed", "from": "no_answer", "note": ""},
    ]
    outside = await gql(api.url, CALL_BACK, keys["coordinator_r2"], variables)
    assert error_codes(outside) == ["FORBIDDEN"]
    partner = await gql(api.url, CALL_BACK, keys["partner"], variables)
    assert error_codes(partner) == ["FORBIDDEN"]


PROTOCOLS = '{ station(id: "S1") { protocolVersions { reportId monitorId current verification figures } } }'


async def test_a_corrected_protocol_shows_the_figures_it_replaced_with_who_and_when(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    first = {"ballots_issued": 640, "ballots_cast": 700, "valid_ballots": 690, "invalid_ballots": 10}
    fixed = first | {"ballots_cast": 638, "valid_ballots": 630, "invalid_ballots": 8}
    await db.executemany(
        """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body)
           VALUES ($1, 'S1', 'M1', 'http', 'protocol', $2::timestamptz, $2::timestamptz, $3::jsonb)""",
        [("p1", T0 + timedelta(hours=13), orjson.dumps(first).decode()),
         ("p2", T0 + timedelta(hours=13, minutes=40), orjson.dumps(fixed).decode())],
    )  # fmt: skip
    body = await gql(api.url, PROTOCOLS, keys["analyst"])
    assert body["data"]["station"]["protocolVersions"] == [
        {
            "reportId": "p2",
            "monitorId": "M1",
            "current": True,
            "verification": "UNVERIFIED",
            "figures": fixed,
        },
        {
            "reportId": "p1",
            "monitorId": "M1",
            "current": False,
            "verification": "UNVERIFIED",
            "figures": first,
        },
    ]
    partner = await gql(api.url, PROTOCOLS, keys["partner"])
    assert [v["monitorId"] for v in partner["data"]["station"]["protocolVersions"]] == [None, None]
    # The correction rejected: the first copy counts again, and partners no longer read it.
    await decide(api, keys["coordinator"], "REPORT", "p2", "REJECTED")
    body = await gql(api.url, PROTOCOLS, keys["analyst"])
    assert [(v["reportId"], v["current"]) for v in body["data"]["station"]["protocolVersions"]] == [
        ("p2", False),
        ("p1", True),
    ]
    partner = await gql(api.url, PROTOCOLS, keys["partner"])
    assert [v["reportId"] for v in partner["data"]["station"]["protocolVersions"]] == ["p1"]
