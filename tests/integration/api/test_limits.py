"""Query cost and rate limits with a real client, over HTTP and over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, error_codes, gql, post
from tests.integration.api.conftest import Api, api_settings, serve

# 5 pages of 100 stations with their 20 latest incidents: 5 x (2 + 100 x (1 + 20 x 1)).
HEAVY = (
    "{ "
    + " ".join(f"p{i}: stations(first: 100) {{ nodes {{ incidents {{ violation }} }} }}" for i in range(5))
    + " }"
)
HEAVY_COST = 10_510
STATION_SUB = "subscription { stationUpdated { seq station { id stats { turnoutPct } } } }"


@asynccontextmanager
async def running(shared: SharedSettings, **overrides: Any) -> AsyncIterator[Api]:
    async for api in serve(api_settings(shared, **overrides)):
        yield api


async def test_a_query_over_its_roles_cost_limit_is_refused_naming_the_limit(
    api: Api, keys: dict[str, str]
) -> None:
    refused = await gql(api.url, HEAVY, keys["partner"])
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "cost": HEAVY_COST,
        "maxCost": api.settings.max_cost_partner,
    }
    assert error["message"].startswith("query cost 10,510 exceeds the partner role's limit of 10,000")
    # The same query is within an analyst's limit, and a partner's smaller pages are too.
    assert "errors" not in await gql(api.url, HEAVY, keys["analyst"])
    assert "errors" not in await gql(api.url, HEAVY.replace("first: 100", "first: 50"), keys["partner"])


async def test_a_keys_cost_budget_refuses_what_it_cannot_afford_yet(
    shared_settings: SharedSettings, seeded: None, keys: dict[str, str]
) -> None:
    async with running(shared_settings, cost_per_second=1.0, cost_burst=25_000) as api:
        assert "errors" not in await gql(api.url, HEAVY, keys["analyst"])
        assert "errors" not in await gql(api.url, HEAVY, keys["analyst"])
        refused = await gql(api.url, HEAVY, keys["analyst"])
        assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert refused["errors"][0]["extensions"]["limit"] == "cost"
        assert refused["errors"][0]["extensions"]["retryAfter"] > 0
        # Another key's budget is its own.
        assert "errors" not in await gql(api.url, HEAVY, keys["admin"])


async def test_cost_limits_apply_to_subscriptions_over_websocket(
    shared_settings: SharedSettings, seeded: None, keys: dict[str, str]
) -> None:
    async with running(shared_settings, max_cost_partner=5) as api:
        client = await WsClient.open(api.ws_url, keys["partner"])
        try:
            await client.ack()
            await client.subscribe("1", STATION_SUB)
            refused = await client.receive()
            assert (refused["id"], refused["type"]) == ("1", "error")
            assert refused["payload"][0]["extensions"] == {
                "code": "QUERY_TOO_COMPLEX",
                "limit": "cost",
                "cost": 6,
                "maxCost": 5,
            }
            await client.subscribe("2", "subscription { stationUpdated { seq } }")  # costs 2
            await client.send({"id": "3", "type": "ping"})
            assert (await client.receive())["type"] == "pong"
        finally:
            await client.close()


async def test_operations_over_http_and_websocket_spend_one_rate_budget_per_key(
    shared_settings: SharedSettings, seeded: None, keys: dict[str, str]
) -> None:
    async with running(shared_settings, rate_per_second=0.01, rate_burst=5) as api:
        client = await WsClient.open(api.ws_url, keys["partner"])  # connection_init: 1
        try:
            await client.ack()
            await client.subscribe("q", '{ station(id: "S1") { name } }')  # a query over the socket: 2
            answer = await client.receive()
            assert answer["payload"] == {"data": {"station": {"name": "School 1"}}}
            assert (await client.receive())["type"] == "complete"
            await client.subscribe("s", STATION_SUB)  # 3
            assert (await post(api.url, "{ regions { id } }", keys["partner"])).status_code == 200  # 4
            await client.subscribe("t", "subscription { overviewUpdated { seq } }")  # 5
            await client.subscribe("u", "subscription { regionUpdated { seq } }")
            refused = await client.receive()
            assert (refused["id"], refused["type"]) == ("u", "error")
            (error,) = refused["payload"]
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert error["extensions"]["limit"] == "operations"
            assert error["message"].startswith("rate limit exceeded; retry in ")
            http = await post(api.url, "{ regions { id } }", keys["partner"])
            assert http.status_code == 429
            assert http.text.startswith("rate limit exceeded; retry in ")
            # Another key is not held back by this one.
            other = await gql(api.url, "{ regions { id } }", keys["analyst"])
            assert error_codes(other) == []
        finally:
            await client.close()
