"""The review queue live over a real WebSocket: claims, call-backs and decisions reach every
open desk within its regions, from whichever API process served them (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, gql
from tests.integration.api.conftest import Api, api_settings, serve
from tests.integration.api.test_region_scopes import active, next_data, refused_live, subscribed
from tests.integration.api.test_review import CLAIM, actor, decide

LIVE = """subscription($region: ID) { reviewUpdated(region: $region) {
  seq item { kind id regionId state claimedBy callBack callBackBy decidedBy note } } }"""
CALL_BACK = """mutation($kind: ReviewKind!, $id: ID!, $outcome: CallBackOutcome!) {
  recordCallBack(kind: $kind, id: $id, outcome: $outcome) { id callBack } }"""


FIELD = "reviewUpdated"


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    return body


async def pong(client: WsClient) -> None:
    """Nothing else is pending on `client`: a ping's pong comes next."""
    await client.send({"id": "p", "type": "ping"})
    assert (await client.receive())["type"] == "pong"


@pytest.fixture
async def second_api(shared_settings: SharedSettings, api: Api) -> AsyncIterator[Api]:
    """Another API process's worth (its own hub, feed and listener) over the same database."""
    async for running in serve(api_settings(shared_settings)):
        yield running


async def test_claims_call_backs_and_decisions_reach_every_desk_with_the_items_new_state(
    api: Api, keys: dict[str, str]
) -> None:
    desks = {name: await WsClient.open(api.ws_url, keys[name]) for name in ("coordinator", "coordinator_r2")}
    try:
        before = active(FIELD)
        for client in desks.values():
            await client.ack()
            await client.subscribe("q", LIVE)
        await subscribed(FIELD, before + 2)
        # coordinator_r2 works r4 (R2): both desks see each step.
        ok(await gql(api.url, CLAIM, keys["coordinator_r2"], {"kind": "REPORT", "id": "r4"}))
        holder = actor(keys, "coordinator_r2")
        for client in desks.values():
            got = (await next_data(client, "q"))["reviewUpdated"]
            assert got["seq"] == 1
            assert got["item"] == {
                "kind": "REPORT",
                "id": "r4",
                "regionId": "R2",
                "state": "UNVERIFIED",
                "claimedBy": holder,
                "callBack": None,
                "callBackBy": None,
                "decidedBy": None,
                "note": "",
            }
        # Another coordinator's claim of r4 is refused: nothing changed, nothing is sent.
        refused = await gql(api.url, CLAIM, keys["coordinator"], {"kind": "REPORT", "id": "r4"})
        assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"
        variables = {"kind": "REPORT", "id": "r4", "outcome": "RETRACTED"}
        ok(await gql(api.url, CALL_BACK, keys["coordinator_r2"], variables))
        for client in desks.values():
            called = await next_data(client, "q")
            assert called["reviewUpdated"]["seq"] == 2
            assert called["reviewUpdated"]["item"]["callBack"] == "RETRACTED"
            assert called["reviewUpdated"]["item"]["callBackBy"] == holder
        # Read before the next change to r4: a desk behind would get only r4's latest state.
        ok(await decide(api, keys["coordinator_r2"], "REPORT", "r4", "REJECTED", "retracted"))
        for client in desks.values():
            decided = (await next_data(client, "q"))["reviewUpdated"]
            assert decided["seq"] == 3
            assert {k: decided["item"][k] for k in ("state", "claimedBy", "decidedBy", "note")} == {
                "state": "REJECTED",
                "claimedBy": None,
                "decidedBy": holder,
                "note": "retracted",
            }
        # An R1 claim reaches the nationwide desk only.
        ok(await gql(api.url, CLAIM, keys["coordinator"], {"kind": "ALERT", "id": "A1"}))
        got = (await next_data(desks["coordinator"], "q"))["reviewUpdated"]
        mine = actor(keys, "coordinator")
        assert (got["seq"], got["item"]["id"], got["item"]["claimedBy"]) == (4, "A1", mine)
        await pong(desks["coordinator_r2"])
    finally:
        for client in desks.values():
            await client.close()


async def test_an_action_served_by_one_api_process_reaches_the_desks_of_another(
    api: Api, second_api: Api, keys: dict[str, str]
) -> None:
    client = await WsClient.open(api.ws_url, keys["coordinator"])
    try:
        before = active(FIELD)
        await client.ack()
        await client.subscribe("r1", LIVE, {"region": "R1"})
        await subscribed(FIELD, before + 1)
        ok(await gql(second_api.url, CLAIM, keys["coordinator"], {"kind": "REPORT", "id": "r2"}))
        claimed = (await next_data(client, "r1"))["reviewUpdated"]["item"]
        assert (claimed["id"], claimed["claimedBy"]) == ("r2", actor(keys, "coordinator"))
        ok(await gql(second_api.url, CLAIM, keys["coordinator"], {"kind": "REPORT", "id": "r4"}))
        ok(await decide(second_api, keys["coordinator"], "REPORT", "r2", "VERIFIED", "called back"))
        verified = (await next_data(client, "r1"))["reviewUpdated"]["item"]  # not r4: it is in R2
        assert (verified["id"], verified["state"], verified["claimedBy"]) == ("r2", "VERIFIED", None)
    finally:
        await client.close()


async def test_only_coordinators_and_above_follow_the_queue_within_their_regions(
    api: Api, keys: dict[str, str]
) -> None:
    client = await WsClient.open(api.ws_url, keys["analyst"])
    try:
        await client.ack()
        await client.subscribe("q", LIVE)
        await refused_live(client, "q", "reviewUpdated")
    finally:
        await client.close()
    scoped = await WsClient.open(api.ws_url, keys["coordinator_r2"])
    try:
        await scoped.ack()
        await scoped.subscribe("r1", LIVE, {"region": "R1"})
        await refused_live(scoped, "r1", "reviewUpdated")
    finally:
        await scoped.close()
