"""Running the aggregator as a process against a test's Kafka namespace and database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.support.factories import ELECTION_DAY
from tests.support.processes import Service, free_port, run_service, service_env
from tests.support.waits import PIPELINE_S


@contextmanager
def aggregator(
    shared: SharedSettings, workdir: Path, port: int | None = None, **extra: str
) -> Iterator[Service]:
    """The aggregator as a process, deterministic (no wall-clock silence) and quick to flush;
    `extra` adds or overrides environment variables."""
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    defaults = {
        "AGGREGATOR_PORT": str(port),
        "AGGREGATOR_DATA_DIR": str(workdir / "aggregator-state"),
        "AGGREGATOR_WALL_CLOCK_SILENCE": "false",
        "AGGREGATOR_FLUSH_INTERVAL_MS": "100",
        "AGGREGATOR_REGION_INTERVAL_MS": "200",
        "AGGREGATOR_SINK_WITHIN_MS": "100",
        "AGGREGATOR_SESSION_TIMEOUT_S": "6",
    }
    env = service_env(shared, **(defaults | extra))
    with run_service("aggregator", env, port, workdir) as service:
        yield service


def create_internal_topics(shared: SharedSettings, workdir: Path) -> None:
    """Starts and stops the aggregator once, which creates its internal topics: on a fresh
    namespace a worker's consumer may subscribe before their metadata is out and miss one
    (the forensics or region agent's) until its next metadata refresh, up to
    `AGGREGATOR_METADATA_MAX_AGE_MS` later (test_late_topic.py); a test timing a first run
    leaves that out."""
    with aggregator(shared, workdir) as service:
        assert service.wait_ready().status_code == 200


async def produce(shared: SharedSettings, items: Sequence[ev.Report | bytes]) -> None:
    """Sends reports (and raw bytes, keyed to a station) to the reports topic, in order."""
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        name = shared.topic(topics.REPORTS.name)
        for item in items:
            if isinstance(item, bytes):
                await producer.send_and_wait(name, key=b"S07", value=item)
            else:
                await producer.send_and_wait(
                    name, key=item.station_id.encode(), value=codec.encode_report(item)
                )
    finally:
        await producer.stop()


async def dead_letters(shared: SharedSettings, at_least: int = 1, wait_s: float = 30) -> list[ev.DeadLetter]:
    """The dead-letter topic's records, read until `at_least` arrived or `wait_s` passed."""
    consumer = AIOKafkaConsumer(
        shared.topic(topics.DEAD_LETTER.name),
        bootstrap_servers=shared.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    letters: list[ev.DeadLetter] = []
    try:
        deadline = time.monotonic() + wait_s
        while len(letters) < at_least and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            letters += [codec.decode_dead_letter(m.value) for ms in batches.values() for m in ms if m.value]
        return letters
    finally:
        await consumer.stop()


def rounds(items: Sequence[ev.Report | bytes], cuts: Sequence[int]) -> list[list[ev.Report | bytes]]:
    """Splits the produced sequence before the first report of each round (event minutes)."""
    out: list[list[ev.Report | bytes]] = [[]]
    pending = list(cuts)
    for item in items:
        if isinstance(item, ev.Report) and pending:
            minutes = (item.observed_at - ELECTION_DAY).total_seconds() / 60
            if minutes >= pending[0]:
                while pending and minutes >= pending[0]:
                    pending.pop(0)
                out.append([])
        out[-1].append(item)
    return [chunk for chunk in out if chunk]


async def caught_up(
    db: asyncpg.Connection, items: Sequence[ev.Report | bytes], wait_s: float = PIPELINE_S
) -> None:
    """Waits until the figures hold every report sent so far and a region roll-up followed."""
    sent = [i for i in items if isinstance(i, ev.Report)]
    ids = {r.id for r in sent}
    newest = max(r.observed_at for r in sent)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        done = await db.fetchval("SELECT coalesce(sum(reports_processed), 0) FROM station_stats")
        rolled = await db.fetchval("SELECT max(updated_at) FROM region_stats WHERE region_id = ''")
        if done >= len(ids) and rolled is not None and rolled >= newest - timedelta(minutes=5):
            await asyncio.sleep(0.5)
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"aggregator did not catch up with {len(ids)} reports")


async def produce_day(
    shared: SharedSettings, db: asyncpg.Connection, items: Sequence[ev.Report | bytes], cuts: Sequence[int]
) -> None:
    """Sends the day round by round, as monitors would, waiting for each round to be rolled up."""
    sent: list[ev.Report | bytes] = []
    for chunk in rounds(items, cuts):
        await produce(shared, chunk)
        sent += chunk
        await caught_up(db, sent)


async def snapshot(db: asyncpg.Connection) -> dict[str, Any]:
    stations = await db.fetch("SELECT * FROM station_stats ORDER BY station_id")
    regions = await db.fetch("SELECT * FROM region_stats ORDER BY region_id")
    alerts = await db.fetch(
        """SELECT id, rule, severity, state, station_id, region_id, report_ids, confidence
           FROM alerts ORDER BY id"""
    )
    return {
        "stations": [dict(r) for r in stations],
        "regions": [dict(r) for r in regions],
        "alerts": [dict(r) for r in alerts],
        "reports": await db.fetchval("SELECT count(*) FROM reports"),
        "series": await db.fetchval("SELECT count(*) FROM turnout_series"),
    }


async def settled(
    db: asyncpg.Connection, reports: int, service: Service, wait_s: float = 120
) -> dict[str, Any]:
    """Waits until every report is in the figures and nothing has changed for three polls."""
    deadline = time.monotonic() + wait_s
    last: dict[str, Any] | None = None
    stable = 0
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(f"aggregator exited:\n{service.log_tail()}")
        snap = await snapshot(db)
        done = sum(s["reports_processed"] for s in snap["stations"]) == reports and snap["reports"] == reports
        stable = stable + 1 if done and snap == last else 0
        if stable >= 3:
            return snap
        if time.monotonic() > deadline:
            raise TimeoutError(f"not settled: {snap['reports']} reports stored\n{service.log_tail()}")
        last = snap
        await asyncio.sleep(1.0)
