"""Subscriptions over a real WebSocket (graphql-transport-ws), fed from real Kafka topics."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from services import patches
from services.api.repository import keys as key_sql
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient
from tests.integration.api.conftest import Api
from tests.integration.api.seed import MONITOR_NAME
from tests.unit.api.factories import alert, station_stats

STATION_SUB = """subscription($ids: [ID!], $region: ID) {
  stationUpdated(ids: $ids, region: $region) { seq revision station { id stats { ballotsIssued } } } }"""


async def send_stats(producer: AIOKafkaProducer, shared: SharedSettings, stats: ev.StationStats) -> None:
    await producer.send_and_wait(
        shared.topic(topics.STATION_STATS.name),
        codec.encode_station_stats(stats),
        key=stats.station_id.encode(),
    )


def ballots(message: dict[str, object]) -> tuple[int, str, int]:
    assert message["type"] == "next", message
    update = message["payload"]["data"]["stationUpdated"]  # type: ignore[index]
    return update["seq"], update["station"]["id"], update["station"]["stats"]["ballotsIssued"]


async def test_station_update_arrives_over_websocket_with_sequence_numbers(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["partner"])
    try:
        assert (await client.ack())["payload"] == {"role": "partner"}
        await client.subscribe("1", STATION_SUB, {"ids": ["S1"]})
        await send_stats(producer, shared_settings, station_stats("S2", ballots=5))
        await send_stats(producer, shared_settings, station_stats("S1", ballots=123))
        assert ballots(await client.receive()) == (1, "S1", 123)
        await send_stats(producer, shared_settings, station_stats("S1", ballots=150, minute=1))
        assert ballots(await client.receive()) == (2, "S1", 150)

        # A new subscriber gets the current state first, numbered from 1.
        late = await WsClient.open(api.ws_url, keys["partner"])
        try:
            await late.ack()
            await late.subscribe("a", STATION_SUB, {"region": "R1"})
            got = sorted([ballots(await late.receive()), ballots(await late.receive())], key=lambda b: b[1])
            assert [(s, b) for _, s, b in got] == [("S1", 150), ("S2", 5)]
            assert sorted(seq for seq, _, _ in got) == [1, 2]
        finally:
            await late.close()
    finally:
        await client.close()


async def test_slow_subscriber_does_not_delay_a_fast_one(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    slow = await WsClient.open(api.ws_url, keys["partner"])
    fast = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await slow.ack()
        await fast.ack()
        await slow.subscribe("s", STATION_SUB, {})
        await fast.subscribe("f", STATION_SUB, {"ids": ["S3"]})
        # The slow client reads nothing while a burst goes out; the fast one sees it all through.
        for n in range(1, 301):
            await producer.send(
                shared_settings.topic(topics.STATION_STATS.name),
                codec.encode_station_stats(station_stats(f"S{n % 3 + 1}", ballots=n)),
                key=f"S{n % 3 + 1}".encode(),
            )
        await producer.flush()
        seen = [ballots(await fast.receive())]
        while seen[-1][2] != 299:  # S3's last value (n % 3 == 2)
            seen.append(ballots(await fast.receive()))
        assert {station for _, station, _ in seen} == {"S3"}
        assert [s for s, _, _ in seen] == list(range(1, len(seen) + 1))
        # The slow one, reading at last, ends at each station's latest state (conflated on the way).
        latest: dict[str, int] = {}
        while latest != {"S1": 300, "S2": 298, "S3": 299}:
            _, station, value = ballots(await slow.receive())
            latest[station] = value
    finally:
        await slow.close()
        await fast.close()


async def test_alerts_reach_partners_and_public_is_refused(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    query = """subscription { alertRaised(minSeverity: WARNING) {
        seq transition alert { id severity state station { id } } } }"""
    partner = await WsClient.open(api.ws_url, keys["partner"])
    public = await WsClient.open(api.ws_url, keys["public"])
    try:
        await partner.ack()
        await public.ack()
        await partner.subscribe("1", query)
        await public.subscribe("1", query)
        refused = await public.receive()
        assert refused["type"] == "next"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await public.receive())["type"] == "complete"
        topic = shared_settings.topic(topics.ALERTS.name)
        await producer.send_and_wait(topic, codec.encode_alert(alert("X0", ev.Severity.INFO)), key=b"X0")
        await producer.send_and_wait(topic, codec.encode_alert(alert("X1", ev.Severity.CRITICAL)), key=b"X1")
        message = await partner.receive()
        assert message["payload"]["data"]["alertRaised"] == {
            "seq": 1,
            "transition": "OPENED",
            "alert": {"id": "X1", "severity": "CRITICAL", "state": "OPEN", "station": {"id": "S1"}},
        }
    finally:
        await partner.close()
        await public.close()


async def test_revoked_key_is_refused_on_an_open_subscriptions_next_message(
    api: Api,
    keys: dict[str, str],
    producer: AIOKafkaProducer,
    shared_settings: SharedSettings,
    db: asyncpg.Connection,
) -> None:
    client = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await client.ack()
        await client.subscribe("1", STATION_SUB, {"ids": ["S1"]})
        await send_stats(producer, shared_settings, station_stats("S1", ballots=1))
        assert ballots(await client.receive()) == (1, "S1", 1)
        assert await key_sql.revoke_key(db, keys["partner"].split("_")[1])
        await asyncio.sleep(api.settings.key_cache_seconds * 2)
        await send_stats(producer, shared_settings, station_stats("S1", ballots=2, minute=1))
        refused = await client.receive()
        assert refused["type"] == "next"
        assert refused["payload"]["data"] is None
        assert refused["payload"]["errors"][0]["message"] == "API key revoked"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await client.receive())["type"] == "complete"
    finally:
        await client.close()
    # And a new connection with the revoked key is rejected at connection_init.
    again = await WsClient.open(api.ws_url, keys["partner"])
    with pytest.raises(ConnectionClosed) as closed:
        await again.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_partner_subscription_cannot_reach_monitor_identities(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["partner_texts"])
    try:
        await client.ack()
        await client.subscribe(
            "1", 'subscription { stationUpdated(ids: ["S1"]) { station { monitors { displayName phone } } } }'
        )
        await client.subscribe("2", "subscription { alertRaised { alert { station { monitors { id } } } } }")
        await send_stats(producer, shared_settings, station_stats("S1", ballots=9))
        topic = shared_settings.topic(topics.ALERTS.name)
        await producer.send_and_wait(topic, codec.encode_alert(alert("X9")), key=b"X9")
        got: dict[str, dict[str, Any]] = {}
        while set(got) != {"1", "2"}:
            message = await client.receive()
            got.setdefault(str(message["id"]), message)
        codes = {id_: message["payload"]["errors"][0]["extensions"]["code"] for id_, message in got.items()}
        assert codes == {"1": "FORBIDDEN", "2": "FORBIDDEN"}
        assert MONITOR_NAME not in str(got)
        assert "M1" not in str(got)
    finally:
        await client.close()


async def test_legacy_protocol_is_off_and_subscriptions_are_capped(api: Api, keys: dict[str, str]) -> None:
    legacy = await connect(api.ws_url, subprotocols=["graphql-ws"])  # type: ignore[list-item]
    with pytest.raises(ConnectionClosed) as closed:
        await legacy.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406
    client = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await client.ack()
        cap = api.settings.max_subscriptions_per_connection
        for n in range(cap + 1):
            await client.subscribe(str(n), "subscription { overviewUpdated { seq } }")
        refused = await client.receive()
        assert (refused["id"], refused["type"]) == (str(cap), "error")
        assert refused["payload"][0]["message"] == "Subscription limit reached"
    finally:
        await client.close()


async def test_shared_executions_keep_each_subscribers_seq_and_never_cross_roles(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    # `name` and `monitors` read PostgreSQL (and `monitors` checks access): graphql-core runs
    # them once per (event, document, variables in the selection, role), shared by subscribers.
    document = """subscription($ids: [ID!]) {
      stationUpdated(ids: $ids) { seq station { id name monitors { displayName } } } }"""
    coordinator_a, coordinator_b, partner = [
        await WsClient.open(api.ws_url, keys[k]) for k in ("coordinator", "coordinator", "partner")
    ]
    try:
        for client in (coordinator_a, coordinator_b, partner):
            await client.ack()
        await coordinator_a.subscribe("1", document, {"ids": ["S1"]})
        await coordinator_b.subscribe("1", document, {"ids": ["S2", "S1"]})  # ids only pick events
        await partner.subscribe("1", document, {"ids": ["S1"]})
        await send_stats(producer, shared_settings, station_stats("S2", ballots=1))
        first = (await coordinator_b.receive())["payload"]["data"]["stationUpdated"]
        assert (first["seq"], first["station"]["id"]) == (1, "S2")
        await send_stats(producer, shared_settings, station_stats("S1", ballots=9))
        got_a = (await coordinator_a.receive())["payload"]
        got_b = (await coordinator_b.receive())["payload"]
        # One shared execution, each subscriber's own seq.
        assert got_a["data"]["stationUpdated"]["seq"] == 1
        assert got_b["data"]["stationUpdated"]["seq"] == 2
        for got in (got_a, got_b):
            station = got["data"]["stationUpdated"]["station"]
            assert station == {"id": "S1", "name": "School 1", "monitors": [{"displayName": MONITOR_NAME}]}
            assert "errors" not in got
        # The partner's execution is its own: refused, and nothing of the coordinators' result.
        refused = await partner.receive()
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert MONITOR_NAME not in str(refused)
    finally:
        for client in (coordinator_a, coordinator_b, partner):
            await client.close()


def _live_messages(body: str, path: str) -> float:
    return _metric(body, f'pollwatch_api_live_messages_total{{path="{path}"}}')


def _metric(body: str, prefix: str) -> float:
    return float(next((x.split()[-1] for x in body.splitlines() if x.startswith(prefix)), "0"))


async def test_compiled_selections_go_direct_and_the_rest_through_graphql_core_each_seq_unbroken(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    plain = STATION_SUB
    named = "subscription($ids: [ID!]) { stationUpdated(ids: $ids) { seq station { id name } } }"
    async with httpx.AsyncClient() as http:
        before = (await http.get(f"{api.url}/metrics")).text
    a, b, c = [await WsClient.open(api.ws_url, keys[k]) for k in ("partner", "analyst", "partner")]
    try:
        for client in (a, b, c):
            await client.ack()
        await a.subscribe("x", plain, {"ids": ["S1"]})
        await b.subscribe('y"', plain, {"ids": ["S1", "S2"]})  # an id JSON must escape
        await c.subscribe("z", named, {"ids": ["S1"]})  # `name` reads the registry: graphql-core
        await send_stats(producer, shared_settings, station_stats("S2", ballots=3))
        assert ballots(await b.receive()) == (1, "S2", 3)
        for n in (1, 2):
            await send_stats(producer, shared_settings, station_stats("S1", ballots=10 * n, minute=n))
            got_a, got_b, got_c = await a.receive(), await b.receive(), await c.receive()
            assert got_a["id"] == "x"
            assert got_b["id"] == 'y"'
            assert ballots(got_a) == (n, "S1", 10 * n)
            assert ballots(got_b) == (n + 1, "S1", 10 * n)
            assert got_c["payload"] == {
                "data": {"stationUpdated": {"seq": n, "station": {"id": "S1", "name": "School 1"}}}
            }
        # A completed subscription stops receiving; the others on the same frames go on.
        await a.send({"id": "x", "type": "complete"})
        await send_stats(producer, shared_settings, station_stats("S1", ballots=99, minute=3))
        assert ballots(await b.receive()) == (4, "S1", 99)
        assert (await c.receive())["payload"]["data"]["stationUpdated"]["seq"] == 3
        with pytest.raises(TimeoutError):
            await a.receive(wait=0.5)
    finally:
        for client in (a, b, c):
            await client.close()
    async with httpx.AsyncClient() as http:
        after = (await http.get(f"{api.url}/metrics")).text
    # Preformatted frames (a: 2, b: 4), written by the hub's publish while the socket keeps up
    # (every second one at least: the subscriber was idle by then) or by the subscription's task.
    paths = ("direct", "publish", "graphql")
    direct, written, graphql = (_live_messages(after, p) - _live_messages(before, p) for p in paths)
    consumed = 'pollwatch_api_feed_messages_total{outcome="ok",topic="station_stats"}'
    assert _metric(after, consumed) - _metric(before, consumed) == 4  # counted once per batch
    if not patches.enabled("strawberry.direct_frames"):  # the stock path: all through graphql-core
        assert (direct, written, graphql) == (0, 0, 9)
        return
    assert direct + written == 6
    if patches.enabled("uvicorn.nowait_send"):
        assert written >= 3
    else:
        assert written == 0
    assert graphql == 3  # c
