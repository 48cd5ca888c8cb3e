"""alertRaised through the graphql-ws reference client (npm), as partners consume it: during a
real election's replay every transition arrives, and an overflow reaches the client's `error`
callback instead of a quiet end of the stream."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from tests.e2e.live.alert_stream import (
    ALERTS,
    replay,
    settled_alerts,
    transitions,
    until_protocols,
    until_subscribed,
)
from tests.e2e.live.graphql_ws import GraphqlWsClient, ended
from tests.support.api_client import create_api_key
from tests.support.processes import free_port, run_all, run_service, service_env
from tests.support.shared_data import shared_data
from tests.unit.api.factories import alert

pytestmark = [pytest.mark.e2e]

REPLAY_FILE = shared_data() / "russia_dkobak" / "2012.csv.zip"
# Thousands of transitions with the default rules (2,500-13,000 seen: silence alerts depend on
# the pace), more than the default queue of 1,000 holds.
REPLAY_STATIONS = int(os.environ.get("PW_TEST_REPLAY_STATIONS", "3000"))


async def produce_alerts(shared: SharedSettings, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap)
    await producer.start()
    try:
        topic = shared.topic(topics.ALERTS.name)
        for i in range(n):
            await producer.send(topic, codec.encode_alert(alert(f"O{i}")), key=f"O{i}".encode())
        await producer.flush()
    finally:
        await producer.stop()


@pytest.mark.timeout(180)
def test_an_overflow_reaches_the_graphql_ws_client_as_an_error(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    # A queue of one alert, and no waiting for the subscriber: any burst overflows it.
    port = free_port()
    env = service_env(
        shared_settings, API_PORT=str(port), API_ALERT_QUEUE_SIZE="1", API_ALERT_BACKPRESSURE_SECONDS="0"
    )
    key = create_api_key(shared_settings, "partner")
    with run_service("api", env, port, tmp_path) as api:
        assert api.wait_ready().status_code == 200, api.log_tail()
        client = GraphqlWsClient(api.url.replace("http", "ws") + "/graphql", key, ALERTS)
        try:
            until_subscribed(api, [client])
            asyncio.run(produce_alerts(shared_settings, 300))
            client.wait_for(ended, 60, "end of the stream")
            time.sleep(1)  # anything the client would still report after the end
            events = client.events
        finally:
            client.close()
    kinds = [e["event"] for e in events]
    assert "error" in kinds, kinds[-5:]
    error = events[kinds.index("error")]["error"]
    assert [e["extensions"] for e in error] == [{"code": "SUBSCRIBER_OVERFLOW", "requery": "alerts(since:)"}]
    assert error[0]["message"] == "more than 1 alerts pending: re-query alerts(since:) and resubscribe"
    assert "complete" not in kinds  # the stream ended with the error, not quietly
    seqs = [seq for seq, _, _ in transitions(events)]
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.data
@pytest.mark.timeout(420)
def test_graphql_ws_clients_receive_every_transition_of_a_replay(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    if not REPLAY_FILE.exists():
        pytest.skip(f"needs {REPLAY_FILE} (see ../shared/data/README.md; PW_SHARED_DATA)")
    with run_all(shared_settings, tmp_path) as services:
        for service in services.values():
            assert service.wait_ready(90).status_code == 200, service.log_tail()
        api = services["api"]
        key = create_api_key(shared_settings, "partner")
        # Two independent clients, as partners run them: each must get every transition.
        clients = [GraphqlWsClient(api.url.replace("http", "ws") + "/graphql", key, ALERTS) for _ in range(2)]
        try:
            until_subscribed(api, clients)
            replay(REPLAY_FILE, shared_settings, services["ingest"].url, REPLAY_STATIONS, wait_s=240)
            assert until_protocols(shared_settings, services["aggregator"], within=240) == REPLAY_STATIONS
            expected = Counter(settled_alerts(shared_settings))
            total = sum(expected.values())
            assert total > 2 * 1000, "too few transitions to overflow the default queue"
            for client in clients:
                client.wait_for(
                    lambda events: ended(events) or len(transitions(events)) >= total,
                    120,
                    f"all {total} transitions",
                )
        finally:
            for client in clients:
                client.close()
    for client in clients:
        events = client.events
        assert not ended(events), [e for e in events if e["event"] != "next"]
        got = transitions(events)
        assert [seq for seq, _, _ in got] == list(range(1, len(got) + 1))
        assert Counter((alert_id, version) for _, alert_id, version in got) == expected
