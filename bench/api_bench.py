"""API benchmark: query latency on 100,000 stations, and 5,000 live subscribers on one process.

Subscribers: each of N WebSocket clients subscribes to its own station; every second the bench
produces one stats message per station to Kafka, and each client measures produce-to-socket
latency from the message's updatedAt. The baseline is a raw Starlette WebSocket broadcast of
frames of the same shape to the same number of clients, measured in the same run. Queries are
compared with the same SQL run directly on asyncpg.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaProducer

from bench.support import fresh_settings
from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common import codec, topics
from services.common import events as ev
from services.common.settings import SharedSettings

STATIONS = int(os.environ.get("PW_BENCH_API_STATIONS", "100000"))
SUBSCRIBERS = int(os.environ.get("PW_BENCH_API_SUBSCRIBERS", "5000"))
SECONDS = int(os.environ.get("PW_BENCH_API_SECONDS", "15"))
WARMUP = 3
CLIENT_PROCESSES = 2
SUB = (
    "subscription($ids: [ID!]) { stationUpdated(ids: $ids) "
    "{ seq station { id stats { ballotsIssued updatedAt } } } }"
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _stats(station: str, n: int) -> ev.StationStats:
    now = datetime.now(UTC)
    return ev.StationStats(station, "R00", 1000, n, n / 10, 1.0, 0, 0.0, {}, {}, now, 0, None, n, now)


async def _seed(shared: SharedSettings) -> str:
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        await conn.executemany(
            "INSERT INTO regions (id, name) VALUES ($1, $2)", [(f"R{r:02}", f"R{r}") for r in range(20)]
        )
        await conn.copy_records_to_table(
            "stations",
            records=[(f"S{i:06}", f"R{i % 20:02}", "", f"Station {i}", 1000) for i in range(STATIONS)],
            columns=["id", "region_id", "district", "name", "registered_voters"],
        )
        now = datetime.now(UTC)
        await conn.copy_records_to_table(
            "station_stats",
            records=[
                (f"S{i:06}", f"R{i % 20:02}", 1000, i % 900, (i % 900) / 10, 1.0, 0, 0.0, now, 0, 1, False, now)  # noqa: E501
                for i in range(STATIONS)
            ],
            columns=[
                "station_id", "region_id", "registered_voters", "ballots_issued", "turnout_pct",
                "turnout_rate_pp_per_hour", "home_voting_applications", "home_voting_pct", "last_report_at",
                "open_alerts", "reports_processed", "silent", "updated_at",
            ],
        )  # fmt: skip
        await conn.execute("ANALYZE")
        new = generate_key()
        await key_sql.insert_key(conn, new.id, hash_secret(new.secret), "analyst", "bench", True)
        return new.token
    finally:
        await conn.close()


async def _query_latency(url: str, key: str, shared: SharedSettings) -> dict[str, float]:
    ids = [f"S{random.randrange(STATIONS):06}" for _ in range(300)]
    station_q = "query($id: ID!) { station(id: $id) { id name stats { turnoutPct ballotsIssued } } }"
    page_q = "{ stations(first: 50) { nodes { id name stats { turnoutPct } } pageInfo { endCursor } } }"
    one, page = [], []
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=30) as client:
        for sid in ids[:20]:  # warm-up
            await client.post("/graphql", json={"query": station_q, "variables": {"id": sid}})
        for sid in ids:
            t = time.perf_counter()
            r = await client.post("/graphql", json={"query": station_q, "variables": {"id": sid}})
            one.append((time.perf_counter() - t) * 1000)
            assert r.json()["data"]["station"]["id"] == sid
        for _ in range(200):
            t = time.perf_counter()
            r = await client.post("/graphql", json={"query": page_q})
            page.append((time.perf_counter() - t) * 1000)
            assert len(r.json()["data"]["stations"]["nodes"]) == 50
    from services.api.repository import stations as station_sql

    pool = await asyncpg.create_pool(shared.database_url.get_secret_value(), min_size=1, max_size=2)
    assert pool is not None
    raw = []
    try:
        for sid in ids:
            t = time.perf_counter()
            await station_sql.stations_by_ids(pool, [sid])
            raw.append((time.perf_counter() - t) * 1000)
    finally:
        await pool.close()
    return {
        "station_p50_ms": _pct(one, 0.5),
        "station_p99_ms": _pct(one, 0.99),
        "station_raw_sql_p99_ms": _pct(raw, 0.99),
        "stations_first_page_p50_ms": _pct(page, 0.5),
        "stations_first_page_p99_ms": _pct(page, 0.99),
    }


async def _clients(url: str, key: str | None, ids: list[str], seconds: float) -> list[float]:
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    start = time.time() + 0.0
    deadline = start + seconds

    async def one(sid: str) -> None:
        protocols = ["graphql-transport-ws"] if key else None
        async with connect(url, subprotocols=protocols, max_queue=None, open_timeout=120) as ws:  # type: ignore[arg-type]
            if key:
                await ws.send(orjson.dumps({"type": "connection_init", "payload": {"apiKey": key}}).decode())
                await ws.recv()
                payload = {"query": SUB, "variables": {"ids": [sid]}}
                await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
            else:
                await ws.send(sid)
            while time.time() < deadline:
                try:
                    raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.time()))
                except TimeoutError:
                    break
                now = time.time()
                sent = orjson.loads(raw)["payload"]["data"]["stationUpdated"]["station"]["stats"]["updatedAt"]
                if now > start + WARMUP:
                    latencies.append((now - datetime.fromisoformat(sent).timestamp()) * 1000)

    await asyncio.gather(*(one(s) for s in ids), return_exceptions=True)
    return latencies


def _client_main(url: str, key: str | None, ids: list[str], seconds: float, out: Any) -> None:
    out.put(asyncio.run(_clients(url, key, ids, seconds)))


def _frame(sid: str, n: int) -> str:
    stats = {"ballotsIssued": n, "updatedAt": datetime.now(UTC).isoformat()}
    data = {"stationUpdated": {"seq": n, "station": {"id": sid, "stats": stats}}}
    return orjson.dumps({"id": "1", "type": "next", "payload": {"data": data}}).decode()


def _raw_server(port: int, expected: int, seconds: float) -> None:
    """A plain Starlette WebSocket broadcast: one frame per client per second."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    clients: dict[str, WebSocket] = {}

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        clients[await ws.receive_text()] = ws
        try:
            await ws.receive_text()
        except Exception:  # the client hung up
            return

    async def broadcast() -> None:
        for _ in range(1200):
            if len(clients) >= expected:
                break
            await asyncio.sleep(0.1)
        for n in range(int(seconds) + 5):
            tick = time.monotonic()
            for sid, ws in list(clients.items()):
                try:
                    await ws.send_text(_frame(sid, n))
                except Exception:  # a closed client leaves the broadcast
                    clients.pop(sid, None)
            await asyncio.sleep(max(0.0, 1 - (time.monotonic() - tick)))

    async def main() -> None:
        server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[WebSocketRoute("/ws", endpoint)]),
                port=port,
                log_level="error",
                ws="websockets-sansio",
            )
        )
        task = asyncio.create_task(broadcast())
        await server.serve()
        task.cancel()

    asyncio.run(main())


def _fan_out(url: str, key: str | None, ids: list[str], seconds: float, publish: Any) -> list[float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    chunks = [ids[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    total = seconds + 60  # connection setup of thousands of sockets takes a while
    procs = [ctx.Process(target=_client_main, args=(url, key, c, total, out)) for c in chunks]
    for p in procs:
        p.start()
    if publish is not None:
        publish(total)
    latencies: list[float] = []
    for _ in procs:
        latencies += out.get(timeout=total + 120)
    for p in procs:
        p.join(timeout=30)
    return latencies


async def _publisher(shared: SharedSettings, ids: list[str], seconds: float, api_url: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=5)
    await producer.start()
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(240):  # wait for every subscriber to be registered
                body = (await client.get(f"{api_url}/metrics")).text
                line = next(
                    (
                        x
                        for x in body.splitlines()
                        if x.startswith('pollwatch_api_subscriptions_active{subscription="stationUpdated"}')
                    ),
                    "0 0",
                )
                if float(line.split()[-1]) >= len(ids):
                    break
                await asyncio.sleep(0.5)
        topic = shared.topic(topics.STATION_STATS.name)
        for n in range(int(seconds)):
            tick = time.monotonic()
            for sid in ids:
                await producer.send(topic, codec.encode_station_stats(_stats(sid, n)), key=sid.encode())
            await producer.flush()
            await asyncio.sleep(max(0.0, 1 - (time.monotonic() - tick)))
    finally:
        await producer.stop()


def run() -> dict[str, object]:
    from tests.support.processes import free_port

    shared = fresh_settings()
    key = asyncio.run(_seed(shared))
    port = free_port()
    env = os.environ | {
        "POLLWATCH_KAFKA_BOOTSTRAP": shared.kafka_bootstrap,
        "POLLWATCH_TOPIC_NAMESPACE": shared.topic_namespace,
        "POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value(),
        "POLLWATCH_LOG_LEVEL": "WARNING",
        "API_PORT": str(port),
        "API_RATE_PER_SECOND": "100000",
        "API_RATE_BURST": "100000",
    }
    ids = [f"S{i:06}" for i in range(SUBSCRIBERS)]
    figures: dict[str, object] = {}
    with tempfile.TemporaryFile() as log:
        api = subprocess.Popen([sys.executable, "-m", "services", "api"], env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            figures |= asyncio.run(_query_latency(url, key, shared))
            api_lat = _fan_out(
                f"ws://127.0.0.1:{port}/graphql",
                key,
                ids,
                SECONDS + WARMUP,
                lambda total: asyncio.run(_publisher(shared, ids, SECONDS + WARMUP + 5, url)),
            )
        finally:
            api.terminate()
            api.wait(timeout=30)
    raw_port = free_port()
    ctx = multiprocessing.get_context("spawn")
    raw = ctx.Process(target=_raw_server, args=(raw_port, SUBSCRIBERS, SECONDS + WARMUP + 60))
    raw.start()
    try:
        time.sleep(1.5)
        raw_lat = _fan_out(f"ws://127.0.0.1:{raw_port}/ws", None, ids, SECONDS + WARMUP, None)
    finally:
        raw.terminate()
        raw.join(timeout=10)
    figures |= {
        "subscribers": SUBSCRIBERS,
        "api_updates_received": len(api_lat),
        "api_publish_to_socket_p50_ms": _pct(api_lat, 0.5),
        "api_publish_to_socket_p99_ms": _pct(api_lat, 0.99),
        "raw_ws_updates_received": len(raw_lat),
        "raw_ws_p50_ms": _pct(raw_lat, 0.5),
        "raw_ws_p99_ms": _pct(raw_lat, 0.99),
        "api_vs_raw_p99_ratio": _pct(api_lat, 0.99) / max(_pct(raw_lat, 0.99), 1e-9),
        "targets": "station p99 < 20 ms; first page p99 < 50 ms; subscribers p99 < 500 ms",
    }
    for name, value in figures.items():
        print(f"api  {name:34} {value:,.2f}" if isinstance(value, float) else f"api  {name:34} {value}")
    return figures
