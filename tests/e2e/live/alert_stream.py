"""Following alertRaised through graphql-ws clients during a replay: what the API's feed holds
(the alerts topic) against what each client received. Used by tests/e2e/live and bench."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from tests.e2e.live.graphql_ws import Event, GraphqlWsClient, ended
from tests.support.processes import Service, service_env
from tests.support.scrape import sample

ALERTS = "subscription { alertRaised { seq transition alert { id version } } }"


def until_subscribed(api: Service, clients: list[GraphqlWsClient], within: float = 60) -> None:
    """graphql-ws sends nothing back for a subscription with nothing to say: ask the API's gauge."""
    deadline = time.monotonic() + within
    while sample(api.url, "pollwatch_api_subscriptions_active", {"subscription": "alertRaised"}) < len(
        clients
    ):
        for client in clients:
            assert not ended(client.events), client.events
        assert time.monotonic() < deadline, "the subscriptions never became active"
        time.sleep(0.2)


def transitions(events: list[Event]) -> list[tuple[int, str, int]]:
    """(seq, alert id, version) of every `next` (an error inside one fails here)."""
    out = []
    for e in events:
        if e["event"] == "next":
            assert "errors" not in e["payload"], e
            event = e["payload"]["data"]["alertRaised"]
            out.append((event["seq"], event["alert"]["id"], event["alert"]["version"]))
    return out


async def alerts_on_topic(shared: SharedSettings) -> list[tuple[str, int]]:
    """(alert id, version) of every transition on the alerts topic, read to its current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=shared.kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        topic = shared.topic(topics.ALERTS.name)
        partitions = [TopicPartition(topic, p) for p in range(topics.ALERTS.partitions)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        out = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for r in records:
                    if r.value is not None:
                        a = codec.decode_alert(r.value)
                        out.append((a.id, a.version))
        return out
    finally:
        await consumer.stop()


async def protocol_counts(shared: SharedSettings) -> tuple[int, int]:
    """(stations whose protocol is in the read model, stations in the registry)."""
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        done = await conn.fetchval("SELECT count(*) FROM station_stats WHERE protocol IS NOT NULL")
        return int(done), int(await conn.fetchval("SELECT count(*) FROM stations"))
    finally:
        await conn.close()


def settled_alerts(shared: SharedSettings, quiet: float = 5, within: float = 120) -> list[tuple[str, int]]:
    """The alerts topic once no transition was added for `quiet` seconds."""
    deadline = time.monotonic() + within
    seen = asyncio.run(alerts_on_topic(shared))
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = asyncio.run(alerts_on_topic(shared))
        if len(now) == len(seen):
            return now
        seen = now
    raise AssertionError(f"alerts still being added after {within} s ({len(seen)} so far)")


def replay(file: Path, shared: SharedSettings, ingest_url: str, limit: int | None, wait_s: float) -> None:
    """`pollwatch replay` of `file` through ingest, waiting up to `wait_s` for every protocol in
    the read model; fails with its output if it fails."""
    args = [sys.executable, "-m", "services", "replay", str(file), "--ingest-url", ingest_url]
    args += ["--wait-s", str(wait_s)]
    if limit is not None:
        args += ["--limit", str(limit)]
    result = subprocess.run(args, env=service_env(shared), capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"replay failed: {result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def until_protocols(shared: SharedSettings, aggregator: Service, within: float) -> int:
    """Waits until every registry station's protocol is in the read model; returns their number."""
    deadline = time.monotonic() + within
    while (counts := asyncio.run(protocol_counts(shared)))[0] < counts[1]:
        assert time.monotonic() < deadline, f"{counts}: {aggregator.log_tail()}"
        time.sleep(2)
    return counts[1]
