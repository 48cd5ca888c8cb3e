"""Aggregator benchmark: throughput against a raw aiokafka consume-and-decode loop, latency and
lag at 2,000 reports/s, and the size of station state for 100,000 stations.

Baseline, in the same run: an AIOKafkaConsumer reading the same pre-produced reports and decoding
each with codec.decode_report (no state, no output). The aggregator runs as its own process
(`python -m services aggregator`) and its progress is read from its /metrics page.
Latency: the bench produces at RATE/s (acks=all); for each station figure that appears on the
station-stats topic, latency = its arrival - the producer acknowledgement of the newest report
it counts (reports_processed tells which one).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.support import fresh_settings, metric_sum
from services.aggregator.domain.rule_config import load_rules
from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_state import Applied, StationInfo, StationState
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.state_codec import encode_state
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry
from tests.support.processes import free_port, service_env

THROUGHPUT_REPORTS = 60_000
RATE = 2000
RATE_SECONDS = 20
DAY = datetime(2012, 1, 15, 2, 0, tzinfo=UTC)


def _turnout(station: str, n: int, registered: int) -> ev.Report:
    at = DAY + timedelta(minutes=n)
    return ev.Report(
        id=str(uuid.uuid4()),
        station_id=station,
        monitor_id="bench",
        channel=ev.Channel.HTTP,
        observed_at=at,
        received_at=datetime.now(UTC),
        body=ev.TurnoutUpdate(min(registered, n * registered // 800), n // 40),
    )


async def _produce_bulk(shared: SharedSettings, stations: list[tuple[str, int]], count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=10, acks="all")
    await producer.start()
    try:
        name = shared.topic(topics.REPORTS.name)
        futures = []
        for i in range(count):
            sid, reg = stations[i % len(stations)]
            r = _turnout(sid, i // len(stations) + 1, reg)
            futures.append(await producer.send(name, key=sid.encode(), value=codec.encode_report(r)))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def _raw_loop(shared: SharedSettings, count: int) -> float:
    consumer = AIOKafkaConsumer(
        shared.topic(topics.REPORTS.name),
        bootstrap_servers=shared.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        seen, started = 0, 0.0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for msgs in batches.values():
                for m in msgs:
                    if not started:
                        started = time.perf_counter()
                    assert m.value is not None
                    codec.decode_report(m.value)
                    seen += 1
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def _scrape(client: httpx.AsyncClient, url: str) -> str:
    try:
        return (await client.get(url, timeout=5)).text
    except httpx.HTTPError:
        return ""


async def _throughput(url: str, count: int) -> tuple[float, float]:
    """Events/s of the aggregator from its first processed report to the last; and peak RSS."""
    async with httpx.AsyncClient() as client:
        first = last = 0.0
        while True:
            done = metric_sum(await _scrape(client, url), "pollwatch_aggregator_events_processed_total")
            now = time.perf_counter()
            if done > 0 and not first:
                first, base = now, done
            if done >= count:
                last = now
                break
            await asyncio.sleep(0.25)  # a scrape costs the worker CPU: not too often
    return (count - base) / (last - first), first


async def _rate_run(shared: SharedSettings, url: str, stations: list[tuple[str, int]]) -> dict[str, Any]:
    acks: dict[tuple[str, int], float] = {}
    applied: dict[str, int] = {}
    latencies: list[float] = []
    lags: list[float] = []
    stop = asyncio.Event()

    consumer = AIOKafkaConsumer(
        shared.topic(topics.STATION_STATS.name),
        bootstrap_servers=shared.kafka_bootstrap,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        group_id=f"lat-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    await asyncio.sleep(2)  # let it be assigned before the load starts

    async def watch() -> None:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for msgs in batches.values():
                for m in msgs:
                    assert m.value is not None
                    s = codec.decode_station_stats(m.value)
                    sent = acks.get((s.station_id, s.reports_processed))
                    if sent is not None:
                        latencies.append(now - sent)

    async def sample_lag() -> None:
        # Lag = reports acknowledged by Kafka - reports the aggregator has processed (bulk included),
        # read each second; the aggregator's own gauge is refreshed every 5 s only.
        async with httpx.AsyncClient() as client:
            while not stop.is_set():
                done = metric_sum(await _scrape(client, url), "pollwatch_aggregator_events_processed_total")
                if done:
                    lags.append(max(0.0, THROUGHPUT_REPORTS + len(acks) - done))
                await asyncio.sleep(1)

    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=2, acks="all")
    await producer.start()
    tasks = [asyncio.create_task(watch()), asyncio.create_task(sample_lag())]
    name = shared.topic(topics.REPORTS.name)
    base = {sid: 0 for sid, _ in stations}
    total = RATE * RATE_SECONDS
    started = time.perf_counter()

    def acked(key: tuple[str, int]) -> Any:
        return lambda _f: acks.__setitem__(key, time.perf_counter())

    for i in range(total):
        due = started + i / RATE
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sid, reg = random.choice(stations)
        base[sid] += 1
        applied[sid] = applied.get(sid, 0) + 1
        # Event time goes on from the station's last backlog report (a jump of hours would make
        # every station silent at once: an alert storm, not the steady state measured here).
        r = _turnout(sid, STATION_BASE[sid] + base[sid], reg)
        fut = await producer.send(name, key=sid.encode(), value=codec.encode_report(r))
        # reports_processed counts this station's reports, bulk phase included
        fut.add_done_callback(acked((sid, STATION_BASE[sid] + applied[sid])))
    achieved = total / (time.perf_counter() - started)
    await producer.stop()
    await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*tasks)
    await consumer.stop()
    latencies.sort()
    pick = (
        (lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1))
        if latencies
        else (lambda q: None)
    )
    return {
        "rate_target_per_s": RATE,
        "rate_achieved_per_s": round(achieved),
        "latency_samples": len(latencies),
        "ack_to_stats_p50_ms": pick(0.5),
        "ack_to_stats_p99_ms": pick(0.99),
        "lag_samples": [round(x) for x in lags],
        "lag_max": round(max(lags)) if lags else None,
        "lag_last": round(lags[-1]) if lags else None,
    }


STATION_BASE: dict[str, int] = {}


def _in_process(stations: list[tuple[str, int]], count: int, batch: int = 5_000) -> float:
    """Reports/s of the station agent's own work on the same reports, in this process, with no
    faust, Kafka or PostgreSQL: decode, apply, the rules after every report, then per station
    and batch its figures and state encoded. A ceiling for the aggregator on one core."""
    rules = load_rules()
    registry = {sid: StationInfo("R", reg) for sid, reg in stations}
    dedup_s = rules.windows.dedup_hours * 3600
    encoded = []
    for i in range(count):
        sid, reg = stations[i % len(stations)]
        encoded.append(codec.encode_report(_turnout(sid, i // len(stations) + 1, reg)))
    cache: dict[str, StationState] = {}
    started = time.perf_counter()
    for first in range(0, count, batch):
        touched = set()
        for value in encoded[first : first + batch]:
            report = codec.decode_report(value)
            state = cache.get(report.station_id) or cache.setdefault(
                report.station_id, StationState(report.station_id)
            )
            if state.apply(report, dedup_s) is Applied.NEW and state.last_at is not None:
                info = registry[report.station_id]
                state.alerts.step(
                    report.station_id, "R", evaluate(state, info, rules, report), at(state.last_at)
                )
                touched.add(report.station_id)
        for sid in touched:
            codec.encode_station_stats(station_stats(cache[sid], registry[sid], rules))
            encode_state(cache[sid])
    return count / (time.perf_counter() - started)


def _state_size(stations: int = 100_000, sample: int = 5_000) -> dict[str, Any]:
    """A busy station day (12 turnout reports, 4 incidents, a protocol) per station."""
    tracemalloc.start()
    states = []
    encoded = 0
    for n in range(sample):
        s = StationState(f"S{n}")
        for k in range(12):
            r = _turnout(s.station_id, 60 * (k + 1), 1500)
            s.apply(r, 36 * 3600)
        for k in range(4):
            at = DAY + timedelta(minutes=30 * k)
            incident = ev.Incident(ev.ViolationType.OTHER)
            s.apply(
                ev.Report(str(uuid.uuid4()), s.station_id, "m", ev.Channel.SMS, at, at, incident), 36 * 3600
            )
        encoded += len(encode_state(s))
        states.append(s)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scale = stations / sample
    return {
        "state_bytes_per_station_encoded": round(encoded / sample),
        "state_100k_encoded_mib": round(encoded * scale / 2**20, 1),
        "state_100k_in_memory_cache_mib": round(current * scale / 2**20, 1),
    }


def run() -> dict[str, Any]:
    shared = fresh_settings()
    registry = demo_registry()

    async def load() -> None:
        conn = await asyncpg.connect(shared.database_url.get_secret_value())
        try:
            await store_registry(conn, registry)
        finally:
            await conn.close()

    asyncio.run(load())
    stations = [(s.id, s.registered_voters) for s in registry.stations]
    for i, (sid, _) in enumerate(stations):
        STATION_BASE[sid] = len(range(i, THROUGHPUT_REPORTS, len(stations)))
    asyncio.run(_produce_bulk(shared, stations, THROUGHPUT_REPORTS))
    raw_rate = asyncio.run(_raw_loop(shared, THROUGHPUT_REPORTS))
    in_process = _in_process(stations, THROUGHPUT_REPORTS)

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="aggr-bench-"))
    env = service_env(
        shared, AGGREGATOR_PORT=str(port), AGGREGATOR_DATA_DIR=str(workdir / "state"),
        AGGREGATOR_WALL_CLOCK_SILENCE="false", POLLWATCH_LOG_LEVEL="WARNING",
    )  # fmt: skip
    log = (workdir / "aggregator.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "services", "aggregator"], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        agg_rate, _ = asyncio.run(_throughput(url, THROUGHPUT_REPORTS))
        rss_mib = int(Path(f"/proc/{proc.pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
        rated = asyncio.run(_rate_run(shared, url, stations))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return {
        "raw_consume_decode_per_s": round(raw_rate),
        "aggregator_per_s": round(agg_rate),
        "aggregator_vs_raw": round(agg_rate / raw_rate, 3),
        # The same work without faust, Kafka or PostgreSQL: what one core allows at most.
        "in_process_per_s": round(in_process),
        "in_process_vs_raw": round(in_process / raw_rate, 3),
        "aggregator_rss_mib_2k_stations": round(rss_mib),
        **rated,
        **_state_size(),
        "cores": os.cpu_count(),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
