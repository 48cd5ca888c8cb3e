"""SIGTERM while a subscriber has stopped reading its socket: the API closes every subscription
with 1012 (service restart) and exits within its shutdown grace period instead of waiting for
that client forever."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from websockets.exceptions import ConnectionClosed

from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient
from tests.support.api_client import create_api_key
from tests.support.processes import Service, free_port, run_service, service_env
from tests.support.raw_ws import RawWsClient
from tests.support.scrape import sample
from tests.unit.api.factories import station_stats

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

GRACE = 3
# Every field: ~500-byte frames, so 20,000 stations are more than the sockets' buffers hold.
STATIONS = """subscription { stationUpdated { seq revision station { id stats {
  registeredVoters ballotsIssued turnoutPct turnoutRatePpPerHour homeVotingApplications homeVotingPct
  incidentsTotal incidentsRecent lastReportAt openAlerts reportsProcessed silent updatedAt } } } }"""


def pending_station_updates(api: Service) -> float:
    """The hub's conflated queue depth: values waiting because a subscriber's socket is full."""
    return sample(api.url, "pollwatch_api_hub_queue_depth_messages", {"channel": "stations"})


async def produce_stations(shared: SharedSettings, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=20)
    await producer.start()
    try:
        topic = shared.topic(topics.STATION_STATS.name)
        for i in range(n):
            stats = station_stats(f"S{i:05d}", ballots=i)
            await producer.send(topic, codec.encode_station_stats(stats), key=stats.station_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def shut_down_with_a_stalled_subscriber(api: Service, shared: SharedSettings, key: str) -> None:
    ws_url = api.url.replace("http", "ws") + "/graphql"
    stalled = await RawWsClient.open(ws_url)
    reading = await WsClient.open(ws_url, key)
    try:
        await stalled.send({"type": "connection_init", "payload": {"apiKey": key}})
        assert (await stalled.receive())["type"] == "connection_ack"
        await stalled.send({"id": "1", "type": "subscribe", "payload": {"query": STATIONS}})
        await reading.ack()
        await produce_stations(shared, 20_000)
        deadline = time.monotonic() + 90
        while await asyncio.to_thread(pending_station_updates, api) == 0:
            assert time.monotonic() < deadline, "the stalled client's socket never backed up"
            await asyncio.sleep(0.5)

        started = time.monotonic()
        api.process.send_signal(signal.SIGTERM)
        # A client that reads is told the server restarts.
        with pytest.raises(ConnectionClosed) as closed:
            await reading.receive(wait=30)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
        exit_code = await asyncio.to_thread(api.process.wait, GRACE + 30)
        # uvicorn re-raises the signal it handled once it has shut down.
        assert exit_code in (0, -signal.SIGTERM), api.log_tail()
        # Bounded by the grace period (plus the lifespan's shutdown), not by the stalled client.
        assert time.monotonic() - started < GRACE + 30
        assert "timeout graceful shutdown exceeded" in api.log.read_text()
    finally:
        stalled.abort()
        await reading.close()


def test_sigterm_with_a_subscriber_that_stopped_reading_exits_after_the_grace_period(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    port = free_port()
    env = service_env(shared_settings, API_PORT=str(port), API_SHUTDOWN_GRACE_SECONDS=str(GRACE))
    key = create_api_key(shared_settings, "partner")
    with run_service("api", env, port, tmp_path) as api:
        assert api.wait_ready().status_code == 200, api.log_tail()
        try:
            asyncio.run(shut_down_with_a_stalled_subscriber(api, shared_settings, key))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the API did not exit after SIGTERM:\n{api.log_tail()}") from None
