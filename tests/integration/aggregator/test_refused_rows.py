"""Rows PostgreSQL refuses for their content never hold the read model back, and a write that
keeps failing shows in readiness and in a gauge (services/aggregator/pg_writes.py), on real
Kafka and PostgreSQL with the aggregator as a process.

The poison goes straight onto the reports topic: the aggregator defends itself whatever ingest
lets through (a NUL, which jsonb cannot hold, froze it before: every batch after it waited)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.integration.aggregator.harness import aggregator, dead_letters
from tests.support.factories import protocol, report, turnout
from tests.support.processes import Service

STATIONS = ("S1", "S2", "S3")
REGISTRY = Registry((Region("R1", "Region one"),), tuple(Station(s, "R1", s, 1000) for s in STATIONS))
# Every /readyz check passing; a test expects exactly one of them to fail.
HEALTHY = {
    "kafka": True,
    "database": True,
    "registry": True,
    "streaming": True,
    "running": True,
    "sink": True,
    "progress": True,
}


async def _produce(shared: SharedSettings, reports: list[ev.Report]) -> list[tuple[int, int, bytes]]:
    """Sends reports in order; returns each one's partition, offset and bytes."""
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        out = []
        for r in reports:
            value = codec.encode_report(r)
            sent = await producer.send_and_wait(
                shared.topic(topics.REPORTS.name), key=r.station_id.encode(), value=value
            )
            out.append((sent.partition, sent.offset, value))
        return out
    finally:
        await producer.stop()


async def _wait_for(db: asyncpg.Connection, service: Service, query: str, expected: object) -> None:
    deadline = time.monotonic() + 90
    while (value := await db.fetchval(query)) != expected:
        assert service.process.poll() is None, service.log_tail()
        assert time.monotonic() < deadline, f"{query}: {value!r}, not {expected!r}\n{service.log_tail()}"
        await asyncio.sleep(0.3)


def _sample(metrics: str, series: str) -> float:
    return next(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(series + " "))


async def test_rows_postgresql_refuses_are_dead_lettered_and_the_rest_land(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    nul_note = report(
        ev.Incident(ev.ViolationType.OTHER, "a\x00b"), id="nul-note", station_id="S1", minutes=5
    )
    nul_party = report(
        protocol(votes={"P\x0001": 400, "P02": 230}), id="nul-party", station_id="S3", minutes=720
    )
    before = [turnout(100, id=f"t0-{s}", station_id=s, minutes=0) for s in STATIONS]
    after = [turnout(200, id=f"t1-{s}", station_id=s, minutes=60) for s in STATIONS]
    sent = await _produce(shared_settings, [*before, nul_note, nul_party, *after])
    poison = {r.id: where for r, where in zip([*before, nul_note, nul_party, *after], sent, strict=True)}

    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        # Everything after the poison landed: the other reports, and the figures of every
        # station whose figures PostgreSQL can hold (all of S1's reports, the NUL one too).
        await _wait_for(db, service, "SELECT count(*) FROM reports", len(before) + len(after))
        await _wait_for(db, service, "SELECT reports_processed FROM station_stats WHERE station_id = 'S1'", 3)
        await _wait_for(db, service, "SELECT ballots_issued FROM station_stats WHERE station_id = 'S2'", 200)
        letters = await dead_letters(shared_settings, at_least=3, wait_s=60)
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{service.url}/readyz")
            metrics = (await client.get(f"{service.url}/metrics")).text

    ids = {r["id"] for r in await db.fetch("SELECT id FROM reports")}
    assert ids == {r.id for r in before + after}
    reports_topic = shared_settings.topic(topics.REPORTS.name)
    refused_reports = sorted((d for d in letters if d.source == reports_topic), key=lambda d: d.offset)
    assert [(d.partition, d.offset, d.payload) for d in refused_reports] == sorted(
        [poison["nul-note"], poison["nul-party"]], key=lambda p: p[1]
    )
    assert all("reports: UntranslatableCharacterError" in d.error for d in refused_reports)
    assert all("unsupported Unicode escape sequence" in d.error for d in refused_reports)
    # S3's figures hold the NUL party too: refused and dead-lettered as published, each time.
    figures = [d for d in letters if d.source == shared_settings.topic(topics.STATION_STATS.name)]
    assert figures
    assert {codec.decode_station_stats(d.payload).station_id for d in figures} == {"S3"}
    assert all(d.error.startswith("station_stats: ") and d.partition == d.offset == -1 for d in figures)

    assert ready.status_code == 200
    assert _sample(metrics, 'pollwatch_aggregator_sink_rows_refused_total{table="reports"}') == 2
    assert _sample(metrics, 'pollwatch_aggregator_sink_rows_refused_total{table="station_stats"}') >= 1
    assert _sample(metrics, "pollwatch_aggregator_sink_stalled_seconds") == 0


async def test_a_write_failing_for_longer_than_the_bound_makes_the_aggregator_unready(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, REGISTRY)
    # Not about the rows (SQLSTATE P0001): retried until it lands, however long that takes.
    await db.execute(
        """CREATE FUNCTION frozen() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'reports are frozen'; END $$;
           CREATE TRIGGER frozen BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION frozen();"""
    )
    with aggregator(shared_settings, tmp_path, AGGREGATOR_SINK_STALL_AFTER_S="2") as service:
        assert service.wait_ready().status_code == 200
        await _produce(shared_settings, [turnout(100, id="t0", station_id="S1")])
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + 60
            while (ready := await client.get(f"{service.url}/readyz")).status_code == 200:
                assert time.monotonic() < deadline, service.log_tail()
                await asyncio.sleep(0.3)
            stalled = _sample(
                (await client.get(f"{service.url}/metrics")).text, "pollwatch_aggregator_sink_stalled_seconds"
            )
            await db.execute("DROP TRIGGER frozen ON reports")
            await _wait_for(db, service, "SELECT count(*) FROM reports", 1)
            recovered = await client.get(f"{service.url}/readyz")

    assert ready.status_code == 503
    assert ready.json()["checks"] == HEALTHY | {"sink": False}
    assert stalled >= 2
    assert recovered.status_code == 200


async def test_reports_waiting_behind_a_write_that_hangs_make_the_aggregator_unready(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    """A write that neither lands nor fails (here each reports insert sleeps 20 s, below the
    statement timeout) holds every later batch back: not ready, though nothing failed."""
    await store_registry(db, REGISTRY)
    await db.execute(
        """CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN PERFORM pg_sleep(20); RETURN NULL; END $$;
           CREATE TRIGGER slow BEFORE INSERT ON reports FOR EACH STATEMENT EXECUTE FUNCTION slow();"""
    )
    with aggregator(shared_settings, tmp_path, AGGREGATOR_STUCK_AFTER_S="3") as service:
        assert service.wait_ready().status_code == 200
        async with httpx.AsyncClient() as client:
            # One batch each: two write behind the next batch, the third waits, the rest queue.
            for minute in range(6):
                await _produce(shared_settings, [turnout(100 + minute, id=f"t{minute}", station_id="S1")])
                await asyncio.sleep(0.5)
            deadline = time.monotonic() + 15
            while (ready := await client.get(f"{service.url}/readyz")).status_code == 200:
                assert time.monotonic() < deadline, service.log_tail()
                await asyncio.sleep(0.3)
            await db.execute("DROP TRIGGER slow ON reports")
            await _wait_for(db, service, "SELECT count(*) FROM reports", 6)
            recovered = service.wait_ready(30)

    assert ready.status_code == 503
    assert ready.json()["checks"] == HEALTHY | {"progress": False}
    assert recovered.status_code == 200
