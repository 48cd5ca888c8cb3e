"""The test PostgreSQL and Kafka really stopped (infra/ scripts) under a running API: /readyz says
which is down, requests that need it get 503 with Retry-After and an UNAVAILABLE error (HTTP and
WebSocket), what does not need it goes on, and everything recovers once it is back.

The servers are restarted whatever happens, so the rest of the suite finds them running."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from websockets.exceptions import ConnectionClosed

from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, post
from tests.integration.api.conftest import Api, api_settings, serve
from tests.integration.api.test_subscriptions import STATION_SUB, ballots, send_stats
from tests.support.infra import run_script
from tests.unit.api.factories import station_stats

pytestmark = pytest.mark.timeout(420)

REGIONS = "query { regions { id name } }"


@asynccontextmanager
async def stopped(script: str) -> AsyncIterator[None]:
    """Stops a test server for the block; starts it again even if the block fails."""
    await asyncio.to_thread(run_script, script, "stop")
    try:
        yield
    finally:
        await asyncio.to_thread(run_script, script, "start")


async def readyz(api: Api) -> tuple[int, dict[str, bool]]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"{api.url}/readyz")
    return answer.status_code, answer.json()["checks"]


async def until_ready(api: Api, down: frozenset[str] = frozenset(), within: float = 90) -> None:
    """Polls /readyz until exactly the checks in `down` fail (status 503, else 200)."""
    deadline = time.monotonic() + within
    while True:
        status, checks = await readyz(api)
        if {name for name, ok in checks.items() if not ok} == down:
            assert status == (503 if down else 200)
            return
        assert time.monotonic() < deadline, f"/readyz still {checks}; expected down: {sorted(down)}"
        await asyncio.sleep(0.2)


def assert_unavailable(response: httpx.Response, dependency: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "dependency": dependency, "retryAfter": 5}
    assert error["message"] == "PostgreSQL is unavailable; retry in 5 s"


@pytest.fixture
async def live_api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    # A short staleness bound so the outage shows quickly; the behaviour is the default's.
    async for running in serve(api_settings(shared_settings, feed_stale_seconds=2.0)):
        yield running


async def test_postgres_outage_gives_503_and_live_streams_go_on(
    live_api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    api = live_api
    assert (await post(api.url, REGIONS, keys["partner"])).status_code == 200
    stream = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await stream.ack()
        await stream.subscribe("s", STATION_SUB, {"ids": ["S1"]})
        await until_ready(api)
        async with stopped("postgres.sh"):
            await until_ready(api, frozenset({"postgres"}))
            # A key seen before (its lookup cached, then kept while PostgreSQL is down) and one
            # never seen (its lookup fails): the query needs PostgreSQL either way.
            assert_unavailable(await post(api.url, REGIONS, keys["partner"]), "postgres")
            assert_unavailable(await post(api.url, REGIONS, keys["analyst"]), "postgres")
            # Over a WebSocket: the unknown key's connection_init closes with 1013 (try again
            # later); the known key's query gets the error; its live stream keeps flowing.
            refused = await WsClient.open(api.ws_url, keys["analyst"])
            with pytest.raises(ConnectionClosed) as closed:
                await refused.receive()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
                1013,
                "PostgreSQL is unavailable; retry in 5 s",
            )
            await stream.subscribe("q", REGIONS)
            answer = await stream.receive()
            assert answer["id"] == "q"
            assert answer["payload"]["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            await send_stats(producer, shared_settings, station_stats("S1", ballots=42))
            assert ballots(await next_on(stream, "s")) == (1, "S1", 42)
        await until_ready(api)
        answer_after = await post(api.url, REGIONS, keys["analyst"])
        assert answer_after.status_code == 200
        assert {r["id"] for r in answer_after.json()["data"]["regions"]} == {"R1", "R2"}
    finally:
        await stream.close()


async def next_on(client: WsClient, op_id: str) -> dict[str, Any]:
    """The next message of operation `op_id` (others, e.g. a query's `complete`, are skipped)."""
    while (message := await client.receive(wait=30))["id"] != op_id:
        pass
    return message


async def test_kafka_outage_refuses_new_subscriptions_and_recovers(
    live_api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    api = live_api
    before = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await before.ack()
        await before.subscribe("s", STATION_SUB, {"ids": ["S1"]})
        await send_stats(producer, shared_settings, station_stats("S1", ballots=1))
        assert ballots(await before.receive()) == (1, "S1", 1)
        async with stopped("kafka.sh"):
            await until_ready(api, frozenset({"kafka"}))
            # Queries need only PostgreSQL.
            assert (await post(api.url, REGIONS, keys["partner"])).status_code == 200
            during = await WsClient.open(api.ws_url, keys["partner"])
            try:
                await during.ack()
                await during.subscribe("d", STATION_SUB, {"ids": ["S1"]})
                refused = await during.receive()
                assert (refused["id"], refused["type"]) == ("d", "error")
                assert refused["payload"] == [
                    {
                        "message": "the live feed (Kafka) is unavailable; retry in 5 s",
                        "extensions": {"code": "UNAVAILABLE", "dependency": "kafka", "retryAfter": 5},
                    }
                ]
            finally:
                await during.close()
        await until_ready(api)
        # The open subscription and a new one both get what is produced after the restart.
        after = await WsClient.open(api.ws_url, keys["partner"])
        try:
            await after.ack()
            await after.subscribe("a", STATION_SUB, {"ids": ["S1"]})
            assert ballots(await after.receive()) == (1, "S1", 1)  # the current state first
            await send_stats(producer, shared_settings, station_stats("S1", ballots=2, minute=1))
            assert ballots(await after.receive(wait=60)) == (2, "S1", 2)
            assert ballots(await before.receive(wait=60)) == (2, "S1", 2)
        finally:
            await after.close()
    finally:
        await before.close()
