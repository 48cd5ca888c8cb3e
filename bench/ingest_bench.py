"""Ingest benchmark: batched reports/s and single-report latency, against a raw producer.

Baseline, measured in the same run: a raw AIOKafkaProducer (acks=all, idempotent, the same
linger) sending the same encoded reports, in 1,000-message chunks with the same concurrency
as the HTTP clients. Ingest runs as a uvicorn process; the load comes from aiohttp here.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaProducer

from bench.support import fresh_settings
from services.common import codec, topics
from services.common import events as ev
from services.common.demo_registry import demo_registry
from services.common.settings import SharedSettings
from services.common.station_store import store_registry
from services.ingest.monitors import add_monitor

BATCH = 1000
BATCHED_REPORTS = 40_000
CONCURRENCY = 4
RATE = 1000  # single reports per second
SECONDS = 10
LINGER_MS = 2
JSON = {"Content-Type": "application/json"}


def _report_json(station: str, n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "station_id": station,
        "observed_at": datetime.now(UTC).isoformat(),
        "turnout": {"ballots_issued": n % 900, "home_voting_applications": n % 7},
    }


async def _seed(shared: SharedSettings) -> tuple[str, list[str]]:
    registry = demo_registry()
    stations = [s.id for s in registry.stations[:200]]
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        await store_registry(conn, registry)
        _, token = await add_monitor(conn, "bench", None, stations)
    finally:
        await conn.close()
    return token, stations


async def _raw_baseline(shared: SharedSettings, stations: list[str]) -> float:
    now = datetime.now(UTC)
    topic = shared.topic(topics.REPORTS.name)
    messages = [
        (
            stations[i % len(stations)].encode(),
            codec.encode_report(
                ev.Report(
                    str(uuid.uuid4()),
                    stations[i % len(stations)],
                    "mon",
                    ev.Channel.HTTP,
                    now,
                    now,
                    ev.TurnoutUpdate(i % 900, i % 7),
                )
            ),
        )
        for i in range(BATCHED_REPORTS)
    ]
    producer = AIOKafkaProducer(
        bootstrap_servers=shared.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=LINGER_MS,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        chunks = [messages[i : i + BATCH] for i in range(0, len(messages), BATCH)]
        queue = iter(chunks)

        async def worker() -> None:
            for chunk in queue:
                futures = [await producer.send(topic, value, key=key) for key, value in chunk]
                await asyncio.gather(*futures)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return len(messages) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def _batched(url: str, token: str, stations: list[str]) -> tuple[float, int]:
    # Serialised up front: the client's JSON encoding is not ingest's cost.
    bodies = [
        orjson.dumps(
            {"reports": [_report_json(stations[(b * BATCH + i) % len(stations)], i) for i in range(BATCH)]}
        )
        for b in range(BATCHED_REPORTS // BATCH)
    ]
    queue = iter(bodies)
    accepted = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def worker() -> None:
            nonlocal accepted
            for body in queue:
                async with session.post(f"{url}/v1/reports", data=body, headers=JSON) as response:
                    accepted += (await response.json())["accepted"]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return accepted / (time.perf_counter() - started), accepted


async def _single_latency(url: str, token: str, stations: list[str]) -> dict[str, float]:
    """Open loop: a request every 1/RATE s whatever the answers do; latency from its schedule."""
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def one(i: int, due: float) -> None:
            nonlocal failures
            async with session.post(f"{url}/v1/reports", data=bodies[i], headers=JSON) as response:
                await response.read()
                if response.status != 202:
                    failures += 1
            latencies.append(time.perf_counter() - due)

        bodies = [orjson.dumps(_report_json(stations[i % len(stations)], i)) for i in range(RATE * SECONDS)]
        tasks = []
        start = time.perf_counter()
        for i in range(RATE * SECONDS):
            due = start + i / RATE
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "single_rate_per_s": len(latencies) / elapsed,
        "single_p50_ms": latencies[len(latencies) // 2] * 1000,
        "single_p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "single_max_ms": latencies[-1] * 1000,
        "single_failures": float(failures),
    }


def _start_ingest(shared: SharedSettings, port: int, log: Any) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "POLLWATCH_KAFKA_BOOTSTRAP": shared.kafka_bootstrap,
        "POLLWATCH_TOPIC_NAMESPACE": shared.topic_namespace,
        "POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value(),
        "POLLWATCH_LOG_LEVEL": "WARNING",
        "INGEST_PORT": str(port),
        "INGEST_LINGER_MS": str(LINGER_MS),
        "INGEST_WORKERS": os.environ.get("PW_BENCH_INGEST_WORKERS", "1"),
    }
    process = subprocess.Popen([sys.executable, "-m", "services", "ingest"], env=env, stdout=log, stderr=log)
    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("ingest did not become ready")


def run() -> dict[str, object]:
    from tests.support.processes import free_port

    shared = fresh_settings()
    token, stations = asyncio.run(_seed(shared))
    raw = asyncio.run(_raw_baseline(shared, stations))
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = _start_ingest(shared, port, log)
        try:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(_batched(url, token, stations[:10]))  # warm-up
            batched, accepted = asyncio.run(_batched(url, token, stations))
            single = asyncio.run(_single_latency(url, token, stations))
        finally:
            process.terminate()
            process.wait(timeout=20)
    figures: dict[str, object] = {
        "raw_producer_reports_per_s": raw,
        "ingest_batched_reports_per_s": batched,
        "batched_vs_raw_ratio": batched / raw,
        "batched_accepted": accepted,
        **single,
        "single_p99_target_ms": 20.0,
    }
    for key, value in figures.items():
        print(f"ingest  {key:32} {value:,.3f}" if isinstance(value, float) else f"ingest  {key:32} {value}")
    return figures
