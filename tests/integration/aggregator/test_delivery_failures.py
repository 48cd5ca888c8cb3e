"""An alert transition Kafka refuses is not lost: the worker stops before anything records it as
sent, and the restarted worker sends it (services/aggregator/output.py). Real faults: the
alerts topic refuses every batch for a while (its `max.message.bytes` below any batch), as a
broker would refuse one it cannot take."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.common.contracts import events as ev
from services.common.contracts import topics
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, create_internal_topics, produce
from tests.support.factories import protocol, report, turnout
from tests.support.processes import Service
from tests.support.waits import PIPELINE_S

REGISTRY = Registry((Region("R1", "Region one"),), tuple(Station(s, "R1", s, 1000) for s in ("A", "B")))


async def _alerts_topic_limit(shared: SharedSettings, max_bytes: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=shared.kafka_bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        configs = topics.ALERTS.configs() | {"max.message.bytes": str(max_bytes)}
        name = shared.topic(topics.ALERTS.name)
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs=configs)])
    finally:
        await admin.close()


@asynccontextmanager
async def alerts_refused(shared: SharedSettings) -> AsyncIterator[None]:
    """The alerts topic takes no batch (an alert alone is ~200 B) until the block ends."""
    await _alerts_topic_limit(shared, 64)
    await asyncio.sleep(1)  # the broker applies topic configs asynchronously
    try:
        yield
    finally:
        await _alerts_topic_limit(shared, 1024 * 1024 + 12)  # Kafka's default


async def _stopped_by_the_failure(service: Service, wait_s: float = PIPELINE_S) -> int | None:
    """The worker's exit status, or None if it is still running after `wait_s`."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(service.process.wait), wait_s)
    except TimeoutError:
        return None


async def _alert(
    db: asyncpg.Connection, alert_id: str, service: Service, wait_s: float = PIPELINE_S
) -> str | None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        assert service.process.poll() is None, service.log_tail()
        state = await db.fetchval("SELECT state FROM alerts WHERE id = $1", alert_id)
        if state is not None:
            return str(state)
        await asyncio.sleep(0.3)
    return None


async def _processed(db: asyncpg.Connection, station: str, count: int, service: Service) -> None:
    deadline = time.monotonic() + 60
    query = "SELECT reports_processed FROM station_stats WHERE station_id = $1"
    while await db.fetchval(query, station) != count:
        assert service.process.poll() is None, service.log_tail()
        assert time.monotonic() < deadline, service.log_tail()
        await asyncio.sleep(0.3)


async def _rolled_up(db: asyncpg.Connection, reporting: int, service: Service) -> None:
    """Waits until the region agent has counted `reporting` stations in R1."""
    deadline = time.monotonic() + 60
    query = "SELECT stations_reporting FROM region_stats WHERE region_id = 'R1'"
    while await db.fetchval(query) != reporting:
        assert service.process.poll() is None, service.log_tail()
        assert time.monotonic() < deadline, service.log_tail()
        await asyncio.sleep(0.3)


async def _refused_while(
    shared: SharedSettings,
    db: asyncpg.Connection,
    workdir: Path,
    quiet: Sequence[ev.Report],
    trigger: ev.Report | Sequence[ev.Report],
) -> tuple[int | None, str]:
    """Runs the aggregator on `quiet` (no alert), then on `trigger` (one batch) while the alerts
    topic refuses everything; returns the worker's exit status (None: still running) and its log."""
    with aggregator(shared, workdir) as service:
        assert service.wait_ready().status_code == 200
        await produce(shared, quiet)
        last = quiet[-1].station_id
        await _processed(db, last, sum(r.station_id == last for r in quiet), service)
        await _rolled_up(db, len({r.station_id for r in quiet}), service)
        async with alerts_refused(shared):
            await produce(shared, [trigger] if isinstance(trigger, ev.Report) else trigger)
            status = await _stopped_by_the_failure(service)
        return status, service.log.read_text()


async def test_a_station_alert_kafka_refuses_arrives_after_the_restart(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    quiet = [turnout(100, id="a-t0", station_id="A", minutes=0)]
    # Ballots cast above ballots issued: protocol_inconsistent, critical, from this one report.
    trigger = report(protocol(ballots_cast=700), id="a-p", station_id="A", minutes=720)

    status, log = await _refused_while(shared_settings, db, tmp_path, quiet, trigger)
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        state = await _alert(db, "protocol_inconsistent:A", service)

    assert status not in (None, 0), "the worker went on after Kafka refused an alert"
    assert "producing records failed" in log
    assert state == "open"


async def test_a_batch_whose_alerts_kafka_refuses_is_replayed_whole_after_the_restart(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    """The batch's states were not saved: the replay applies each of its reports once more onto
    the states from before it, sends the alert and counts every report once."""
    await store_registry(db, REGISTRY)
    quiet = [turnout(100, id=f"{s}-t0", station_id=s, minutes=0) for s in ("A", "B")]
    batch = [
        turnout(300, id="B-t1", station_id="B", minutes=700),
        report(protocol(ballots_cast=700), id="a-p", station_id="A", minutes=720),
        turnout(320, id="B-t2", station_id="B", minutes=710),
    ]

    create_internal_topics(shared_settings, tmp_path)  # two quiet stations to roll up: see below
    status, log = await _refused_while(shared_settings, db, tmp_path, quiet, batch)
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        state = await _alert(db, "protocol_inconsistent:A", service)
        await _processed(db, "B", 3, service)
        processed = await db.fetch("SELECT station_id, reports_processed FROM station_stats ORDER BY 1")
        sent = await db.fetchval("SELECT version FROM alerts WHERE id = 'protocol_inconsistent:A'")

    assert status not in (None, 0), "the worker went on after Kafka refused an alert"
    assert "producing records failed" in log
    assert state == "open"
    assert [tuple(r) for r in processed] == [("A", 2), ("B", 3)]
    assert sent == 1  # opened once, not again for a report applied twice


async def test_a_region_alert_kafka_refuses_arrives_after_the_restart(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    quiet = [turnout(50, id=f"{s}-t0", station_id=s, minutes=0) for s in ("A", "B")]
    # A reports two hours later, B does not: the region agent finds B silent (90 min).
    trigger = turnout(100, id="A-t120", station_id="A", minutes=120)

    # A first start creates the worker's internal topics: on a fresh namespace its consumer may
    # subscribe before their metadata is out and miss the region agent's topic for minutes.
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
    status, log = await _refused_while(shared_settings, db, tmp_path, quiet, trigger)
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        state = await _alert(db, "silent_station:B", service)

    assert status not in (None, 0), "the worker went on after Kafka refused an alert"
    assert "producing records failed" in log
    assert state == "open"
