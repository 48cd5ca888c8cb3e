"""A batch that changes more stations than fit in one Kafka message: a backlog from a national day
(thousands of stations per batch) crashed the station agent when the figures for the region
agent went out as one message over the producer's 1 MiB limit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from services.aggregator import summaries
from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, create_internal_topics
from tests.support.factories import protocol, report, turnout

STATIONS = 16_000  # ~80 B of figures each: ~1.3 MB for the batch


async def _produce_backlog(shared: SharedSettings, station_ids: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        name = shared.topic(topics.REPORTS.name)
        for n, sid in enumerate(station_ids):
            report = turnout(100 + n % 300, id=f"r-{sid}", station_id=sid, minutes=60)
            await producer.send(name, key=sid.encode(), value=codec.encode_report(report))
        await producer.flush()
    finally:
        await producer.stop()


async def test_a_batch_of_more_stations_than_one_message_holds_reaches_the_region_figures(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    station_ids = [f"R1:commission {n // 100:03d}|polling station {n:05d}" for n in range(STATIONS)]
    await store_registry(
        db,
        Registry((Region("R1", "Region one"),), tuple(Station(s, "R1", s, 1000) for s in station_ids)),
    )
    # Produced before the aggregator starts, and a 5 s window: one batch takes them all.
    await _produce_backlog(shared_settings, station_ids)
    with aggregator(shared_settings, tmp_path, AGGREGATOR_FLUSH_INTERVAL_MS="5000") as service:
        assert service.wait_ready().status_code == 200
        deadline = time.monotonic() + 90
        reporting = None
        while time.monotonic() < deadline:
            assert service.process.poll() is None, service.log_tail()
            reporting = await db.fetchval(
                "SELECT stations_reporting FROM region_stats WHERE region_id = 'R1'"
            )
            if reporting == STATIONS:
                break
            await asyncio.sleep(0.5)
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"{service.url}/metrics")).text
        log = service.log.read_text()
    assert reporting == STATIONS, [line[:300] for line in log.splitlines() if "rror" in line][:3]
    assert "Crashed" not in log
    assert "MessageSizeTooLarge" not in log
    assert await db.fetchval("SELECT count(*) FROM station_stats") == STATIONS
    # The batches really were large: their figures (at least 80 B a station) needed more than
    # one message each.
    batches = _sample(metrics, "pollwatch_aggregator_batches_total")
    assert 1 <= batches <= 3
    assert STATIONS / batches * 80 > summaries.MESSAGE_BYTES


async def test_a_backlog_of_protocols_goes_to_the_forensics_table_without_flooding_the_producer(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    """A national day's protocols arrive together; the forensics agent wrote each one to its
    table through faust's per-record producer buffer: "producer buffer full" warnings and
    commits of seconds in the national replay."""
    create_internal_topics(shared_settings, tmp_path)
    stations = [f"R1:{n:05d}" for n in range(5000)]
    await store_registry(
        db, Registry((Region("R1", "Region one"),), tuple(Station(s, "R1", s, 1000) for s in stations))
    )
    producer = AIOKafkaProducer(bootstrap_servers=shared_settings.kafka_bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        for n, sid in enumerate(stations):
            final = report(
                protocol(votes={"P01": 400 - n % 50, "P02": 230 + n % 50}), id=f"p-{sid}", station_id=sid
            )
            await producer.send(
                shared_settings.topic(topics.REPORTS.name), key=sid.encode(), value=codec.encode_report(final)
            )
        await producer.flush()
    finally:
        await producer.stop()
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        deadline = time.monotonic() + 120
        counted = None
        while counted != len(stations) and time.monotonic() < deadline:
            assert service.process.poll() is None, service.log_tail()
            counted = await db.fetchval("SELECT stations FROM forensics WHERE region_id = ''")
            await asyncio.sleep(0.5)
        log = service.log.read_text()
    assert counted == len(stations), service.log_tail()
    assert "producer buffer full" not in log


def _sample(text: str, name: str) -> float:
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))
