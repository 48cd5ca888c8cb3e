"""Storage benchmark: what one simulated election day costs in Kafka and PostgreSQL, per report and
per station, and how long an aggregator worker takes to rebuild its state on a fresh volume.

The simulator plans a day for the demo registry (2,000 stations, services/simulator/model.py); its
reports are produced to the reports topic and the aggregator (its own process) processes them from
that backlog and writes the read model. Figures, each beside a baseline from the same run:
* Kafka: bytes on the broker's disk per topic (one replica, .log segments) per report; baseline:
  the protobuf payload (key + value) the producer sent.
* PostgreSQL: WAL (pg_current_wal_lsn before and after) and table growth (pg_total_relation_size)
  per report and per station, and the rows the sink wrote; baseline: the protobuf payload.
* Ingest's duplicate check: the same ids claimed and accepted through services.ingest's DedupStore
  (group commit) by CONCURRENCY requests at once: ids/s, WAL and table bytes per report.
* Restore: the aggregator restarted on an empty data dir (a fresh volume reads every changelog
  record back) and again on the kept one (only the changelog's tail); each timed from process
  start to every station's figures re-sent. Baseline: an aiokafka consumer reading the changelogs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench import storage_probes
from bench.support import fresh_settings
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Registry
from services.ingest.dedup_store import DedupStore
from services.ingest.metrics import IngestMetrics
from services.simulator.model import DayOptions, plan_day
from tests.support.processes import free_port, service_env

STRIDE = 4  # 500 of the demo registry's 2,000 stations
OPENING = datetime(2012, 12, 2, 2, 0, tzinfo=UTC)  # polls open 08:00 local (UTC+6)
CONCURRENCY = 64  # ingest requests claiming ids at once
PER_REQUEST = 20  # ids per request (a batch from a phone that was offline)
WRITE_TIMEOUT_S = 120
# A graceful stop, then SIGKILL: faust has already committed and flushed what these figures need.
STOP_TIMEOUT_S = 5


def _registry() -> Registry:
    """Every STRIDE-th demo station (every region keeps some): a day that fits the time budget."""
    demo = demo_registry()
    return Registry(demo.regions, demo.stations[::STRIDE])


def _day(registry: Registry) -> list[ev.Report]:
    day = plan_day(list(registry.stations), DayOptions(OPENING, uuid.uuid4().hex[:8]))
    sent = timedelta(seconds=5)
    channel = {True: ev.Channel.SMS, False: ev.Channel.HTTP}
    return [
        ev.Report(
            p.report_id, p.station_id, "bench", channel[p.sms], p.observed_at, p.observed_at + sent, p.body
        )
        for p in day.reports
    ]


def _busiest(reports: list[ev.Report]) -> tuple[float, int]:
    """The plan's busiest minute in reports/s, and its busiest hour in reports."""
    minutes = Counter(r.observed_at.replace(second=0, microsecond=0) for r in reports)
    hours = Counter(r.observed_at.replace(minute=0, second=0, microsecond=0) for r in reports)
    return max(minutes.values()) / 60, max(hours.values())


async def _produce(shared: SharedSettings, reports: list[ev.Report]) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=10, acks="all")
    await producer.start()
    payload = 0
    try:
        name = shared.topic(topics.REPORTS.name)
        futures = []
        for r in reports:
            key, value = r.station_id.encode(), codec.encode_report(r)
            payload += len(key) + len(value)
            futures.append(await producer.send(name, key=key, value=value))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return payload


def _metric(text: str, name: str) -> dict[str, float]:
    """Samples of one metric by their label text."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            out[series.removeprefix(name)] = float(value)
    return out


async def _until_written(url: str, count: int) -> tuple[float, dict[str, float]]:
    """Waits for `count` events processed and the sink quiet for 1.5 s; the span and rows by table."""
    deadline = time.monotonic() + WRITE_TIMEOUT_S
    first = last_change = 0.0
    rows: dict[str, float] = {}
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                text = (await client.get(url, timeout=5)).text
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
                continue
            done = sum(_metric(text, "pollwatch_aggregator_events_processed_total").values())
            now_rows = _metric(text, "pollwatch_aggregator_sink_rows_total")
            now = time.monotonic()
            if done and not first:
                first = now
            if now_rows != rows:
                rows, last_change = now_rows, now
            if done >= count and now - last_change > 1.5:
                return last_change - first, rows
            await asyncio.sleep(0.25)
    raise TimeoutError(f"aggregator: {count} events not processed and written in {WRITE_TIMEOUT_S} s")


def _start(shared: SharedSettings, data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = service_env(
        shared, AGGREGATOR_PORT=str(port), AGGREGATOR_DATA_DIR=str(data_dir),
        AGGREGATOR_WALL_CLOCK_SILENCE="false", POLLWATCH_LOG_LEVEL="WARNING",
    )  # fmt: skip
    with log.open("ab") as out:
        cmd = [sys.executable, "-m", "services", "aggregator"]
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=out), port


def _stop(proc: subprocess.Popen[bytes], graceful: bool = True) -> None:
    if not graceful:
        proc.kill()
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _resent_after_start(
    shared: SharedSettings, data_dir: Path, log: Path, stations: int, last: bool = False
) -> float:
    """Starts the aggregator on `data_dir`; seconds until every station's figures are re-sent.
    A graceful stop keeps its restored offsets in `data_dir`; the `last` start is killed."""
    consumer = AIOKafkaConsumer(bootstrap_servers=shared.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    proc = None
    try:
        name = shared.topic(topics.STATION_STATS.name)
        parts = [TopicPartition(name, p) for p in range(topics.STATION_STATS.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)
        started = time.monotonic()
        proc, _ = _start(shared, data_dir, log)
        seen: set[str] = set()
        while len(seen) < stations:
            if proc.poll() is not None or time.monotonic() - started > 180:
                done = f"{len(seen)}/{stations} stations re-sent"
                raise RuntimeError(f"aggregator restart (exit {proc.poll()}): {done}; see {log}")
            for msgs in (await consumer.getmany(timeout_ms=200)).values():
                seen.update(codec.decode_station_stats(m.value).station_id for m in msgs if m.value)
        return time.monotonic() - started
    finally:
        if proc is not None:
            _stop(proc, graceful=not last)
        await consumer.stop()


async def _raw_changelog_read(shared: SharedSettings) -> tuple[int, int, float]:
    """Records, bytes and seconds for one consumer reading every changelog topic from the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=shared.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = []
        for d in storage_probes.KAFKA_DATA.glob(
            f"{shared.topic_namespace}.*-changelog-*"
        ):  # the broker's partition dirs
            topic, partition = d.name.rsplit("-", 1)
            parts.append(TopicPartition(topic, int(partition)))
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        records = size = 0
        started = time.monotonic()
        while ends:
            for msgs in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                records += len(msgs)
                size += sum(len(m.value or b"") + len(m.key or b"") for m in msgs)
            ends = {tp: end for tp, end in ends.items() if await consumer.position(tp) < end}
        return records, size, time.monotonic() - started
    finally:
        await consumer.stop()


async def _dedup(url: str, ids: list[str]) -> tuple[float, int, int]:
    """Ids/s claimed and accepted through the ingest's group commit; WAL and table bytes."""
    lsn, before = await storage_probes.pg_snapshot(url)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    store = DedupStore(pool, timedelta(hours=72), timedelta(seconds=30), 10.0, IngestMetrics())
    chunks = [ids[i : i + PER_REQUEST] for i in range(0, len(ids), PER_REQUEST)]
    queue = iter(chunks)

    async def request() -> None:
        for chunk in queue:
            claimed = await store.claim(chunk)
            assert all(state.value == "claimed" for state in claimed.values())
            await store.accept(chunk)

    started = time.monotonic()
    await asyncio.gather(*(request() for _ in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    await store.close()
    await pool.close()
    wal = await storage_probes.wal_since(url, lsn)
    _, after = await storage_probes.pg_snapshot(url)
    return len(ids) / elapsed, wal, after["ingest_dedup"] - before.get("ingest_dedup", 0)


def _per(value: float, count: int, digits: int = 0) -> float:
    return round(value / count, digits) if count else 0.0


def run() -> dict[str, Any]:
    shared = fresh_settings()
    url = shared.database_url.get_secret_value()
    registry = _registry()

    async def load() -> None:
        conn = await asyncpg.connect(url)
        try:
            await store_registry(conn, registry)
        finally:
            await conn.close()

    clock = [time.monotonic()]

    def lap() -> float:
        clock.append(time.monotonic())
        return round(clock[-1] - clock[-2], 1)

    asyncio.run(load())
    reports = _day(registry)
    stations = len({r.station_id for r in reports})
    n = len(reports)
    lsn, before = asyncio.run(storage_probes.pg_snapshot(url))
    payload = asyncio.run(_produce(shared, reports))
    pg_cpu = storage_probes.postgres_cpu_s()
    phases = {"prepare_and_produce": lap()}

    workdir = Path(tempfile.mkdtemp(prefix="storage-bench-"))
    log = workdir / "aggregator.log"
    proc, port = _start(shared, workdir / "state", log)
    try:
        span, rows = asyncio.run(_until_written(f"http://127.0.0.1:{port}/metrics", n))
    finally:
        _stop(proc)
    wal = asyncio.run(storage_probes.wal_since(url, lsn))
    pg_cpu = storage_probes.postgres_cpu_s() - pg_cpu
    _, after = asyncio.run(storage_probes.pg_snapshot(url))
    growth = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
    kafka = storage_probes.kafka_bytes(shared.topic_namespace)
    phases["aggregate"] = lap()

    records, changelog_bytes, raw_s = asyncio.run(_raw_changelog_read(shared))
    fresh_s = asyncio.run(_resent_after_start(shared, workdir / "fresh", log, stations))
    warm_s = asyncio.run(_resent_after_start(shared, workdir / "fresh", log, stations, last=True))
    restore_s = max(fresh_s - warm_s, 1e-3)
    phases["restarts"] = lap()
    dedup_cpu = storage_probes.postgres_cpu_s()
    dedup_rate, dedup_wal, dedup_table = asyncio.run(_dedup(url, [r.id for r in reports]))
    dedup_cpu = storage_probes.postgres_cpu_s() - dedup_cpu
    phases["dedup"] = lap()

    reports_disk = kafka.get(topics.REPORTS.name, 0)
    sink_rows = {k.split('"')[1]: int(v) for k, v in rows.items()}
    minute, hour = _busiest(reports)
    peak_100k, hour_100k = minute * 100_000 / stations, hour * 100_000 / stations
    rows_total = sum(sink_rows.values())
    table_bytes = sum(growth.values())
    return {
        "stations": stations,
        "reports": n,
        "reports_per_station": round(n / stations, 1),
        "plan_busiest_minute_reports_per_s_100k": round(peak_100k),
        "plan_busiest_hour_reports_100k": round(hour_100k),
        "kafka_payload_bytes_per_report": _per(payload, n),
        "kafka_reports_disk_bytes_per_report": _per(reports_disk, n),
        "kafka_reports_disk_vs_payload": round(reports_disk / payload, 2),
        "kafka_all_topics_disk_bytes_per_report": _per(sum(kafka.values()), n),
        "kafka_all_topics_disk_vs_payload": round(sum(kafka.values()) / payload, 2),
        "kafka_disk_bytes_per_report_by_topic": {t: _per(b, n) for t, b in sorted(kafka.items()) if b},
        "pg_sink_rows_by_table": sink_rows,
        "pg_sink_rows_per_report": round(rows_total / n, 2),
        "pg_sink_rows_per_s_backlog": round(rows_total / max(span, 1e-3)),
        "pg_cpu_ms_per_1k_rows": round(1000 * pg_cpu / rows_total * 1000, 1),
        "pg_cores_100k_busiest_minute": round(pg_cpu / n * peak_100k, 2),
        "pg_wal_bytes_per_report": _per(wal, n),
        "pg_wal_vs_payload": round(wal / payload, 2),
        "pg_table_bytes_per_report": _per(table_bytes, n),
        "pg_table_bytes_per_station": _per(table_bytes, stations),
        "pg_table_growth_bytes": growth,
        "pg_read_model_gib_100k_day": round(table_bytes / stations * 100_000 / 2**30, 2),
        "pg_wal_gib_100k_busiest_hour": round(wal / n * hour_100k / 2**30, 2),
        "pg_wal_gib_100k_day": round(wal / stations * 100_000 / 2**30, 2),
        "dedup_ids_per_s": round(dedup_rate),
        "dedup_wal_bytes_per_report": _per(dedup_wal, n),
        "dedup_table_bytes_per_report": _per(dedup_table, n),
        "dedup_pg_cpu_ms_per_1k_ids": round(1000 * dedup_cpu / n * 1000, 1),
        "changelog_records": records,
        "changelog_bytes_per_record": _per(changelog_bytes, records),
        "changelog_raw_read_s": round(raw_s, 2),
        "restart_fresh_volume_s": round(fresh_s, 1),
        "restart_kept_volume_s": round(warm_s, 1),
        "restore_records_per_s": round(records / restore_s),
        "restore_vs_raw_read": round(restore_s / max(raw_s, 1e-3), 1),
        "phases_s": phases,
        "cores": os.cpu_count(),
        "load_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
