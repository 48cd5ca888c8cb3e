"""Alert bursts larger than a subscriber's queue, through real Kafka and a real WebSocket: a
client that keeps reading gets every transition; one that stops reading gets the overflow as a
graphql-transport-ws `error` message after what it had, and holds nobody up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient
from tests.integration.api.conftest import Api, api_settings, serve
from tests.support.raw_ws import RawWsClient
from tests.unit.api.factories import alert

# Frames of ~400 bytes: a burst of 20,000 is more than the sockets' buffers hold (~4 MB).
ALERTS = """subscription { alertRaised { seq transition alert {
  id rule severity state stationId regionId value threshold message reportIds openedAt updatedAt } } }"""
QUEUE = 100


def small_queue(shared: SharedSettings, grace: float) -> AsyncIterator[Api]:
    return serve(api_settings(shared, alert_queue_size=QUEUE, alert_backpressure_seconds=grace))


@pytest.fixture
async def patient_api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    """Waits up to 30 s for a reader: the clients share the API's event loop and a loaded CPU."""
    async for running in small_queue(shared_settings, 30):
        yield running


@pytest.fixture
async def shorter_grace_api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    """Waits up to 10 s: still far longer than the reading client's queue stays non-empty."""
    async for running in small_queue(shared_settings, 10):
        yield running


async def produce_alerts(producer: AIOKafkaProducer, shared: SharedSettings, ids: list[str]) -> None:
    topic = shared.topic(topics.ALERTS.name)
    for alert_id in ids:
        await producer.send(topic, codec.encode_alert(alert(alert_id)), key=alert_id.encode())
    await producer.flush()


def received(message: dict[str, Any]) -> tuple[int, str]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    event = message["payload"]["data"]["alertRaised"]
    return event["seq"], event["alert"]["id"]


async def read_alerts(client: WsClient | RawWsClient, n: int) -> list[tuple[int, str]]:
    return [received(await client.receive(wait=60)) for _ in range(n)]


async def subscribed(
    clients: Sequence[WsClient | RawWsClient], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    """Subscribes each and waits for a first alert, so what follows is live for all of them."""
    for client in clients:
        assert (await client.receive())["type"] == "connection_ack"
        await client.send({"id": "1", "type": "subscribe", "payload": {"query": ALERTS}})
    await produce_alerts(producer, shared, ["first"])
    for client in clients:
        assert received(await client.receive(wait=60)) == (1, "first")


@pytest.mark.timeout(300)
async def test_a_client_that_keeps_reading_gets_a_burst_thirty_times_its_queue(
    patient_api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    clients = [await WsClient.open(patient_api.ws_url, keys["partner"]) for _ in range(2)]
    try:
        await subscribed(clients, producer, shared_settings)
        ids = [f"B{i:05d}" for i in range(30 * QUEUE)]
        await produce_alerts(producer, shared_settings, ids)
        read = await asyncio.gather(*(read_alerts(c, len(ids)) for c in clients))
        assert len(read) == len(clients) == 2
        for got in read:
            assert [seq for seq, _ in got] == list(range(2, len(ids) + 2))
            assert sorted(alert_id for _, alert_id in got) == ids
    finally:
        for client in clients:
            await client.close()


@pytest.mark.timeout(300)
async def test_a_client_that_stops_reading_gets_the_overflow_as_an_error_message(
    shorter_grace_api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    stalled = await RawWsClient.open(shorter_grace_api.ws_url)
    await stalled.send({"type": "connection_init", "payload": {"apiKey": keys["partner"]}})
    fast = await WsClient.open(shorter_grace_api.ws_url, keys["partner"])
    try:
        await subscribed([stalled, fast], producer, shared_settings)
        ids = [f"C{i:05d}" for i in range(20_000)]
        await produce_alerts(producer, shared_settings, ids)
        # The reading client gets everything: the stalled one held the feed back once, <= 10 s.
        got = await read_alerts(fast, len(ids))
        assert [seq for seq, _ in got] == list(range(2, len(ids) + 2))
        # The stalled client, reading at last: what it had, numbered without gaps, then the error.
        seqs = [1]
        while (message := await stalled.receive(wait=60))["type"] == "next":
            seqs.append(received(message)[0])
        assert seqs == list(range(1, len(seqs) + 1))
        assert len(seqs) < len(ids)
        assert message["type"] == "error", message
        assert message["id"] == "1"
        (error,) = message["payload"]
        assert error["extensions"] == {"code": "SUBSCRIBER_OVERFLOW", "requery": "alerts(since:)"}
        assert error["message"] == (
            f"more than {QUEUE} alerts pending: re-query alerts(since:) and resubscribe"
        )
        # Nothing follows the error for that operation (no `complete`), and the socket stays usable.
        await stalled.send({"type": "ping"})
        assert await stalled.receive() == {"type": "pong"}
    finally:
        await fast.close()
        stalled.abort()
