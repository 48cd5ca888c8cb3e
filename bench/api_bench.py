"""API benchmark: query latency on 100,000 stations, and 5,000 live subscribers on one process.

Subscribers: N real WebSocket clients speaking graphql-transport-ws, in CLIENT_PROCESSES
processes apart from the API, each subscribed to its own station (the worst case for sharing:
every update goes to exactly one subscriber). Every second the publisher produces one stats
message per station to Kafka, in SLICES slices spread over the second, each message's
`updatedAt` stamped when it is handed to the producer; a client's latency is the time it read
the frame minus that stamp (publish-to-socket, Kafka hop included). Same host, same clock.

Baseline, in the same run: a raw Starlette WebSocket server (uvicorn, same WebSocket
implementation) broadcasting frames of the same shape to as many clients with the same
pacing, stamped when it starts sending each slice. Load averages are recorded around each
phase. Queries are compared with the same SQL run directly on asyncpg.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaProducer

from bench.support import api_process, fresh_settings, load_stations
from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings

STATIONS = int(os.environ.get("PW_BENCH_API_STATIONS", "100000"))
SUBSCRIBERS = int(os.environ.get("PW_BENCH_API_SUBSCRIBERS", "5000"))
SECONDS = int(os.environ.get("PW_BENCH_API_SECONDS", "15"))
WARMUP = 3  # rounds not counted (connections settle, caches fill)
CLIENT_PROCESSES = int(os.environ.get("PW_BENCH_API_CLIENT_PROCESSES", "2"))
SLICES = 10  # each round is published in 10 slices spread over its second
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
        await load_stations(conn, STATIONS)
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


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (robust to load, unlike latency)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _profile(pid: int, seconds: int) -> subprocess.Popen[bytes] | None:
    """py-spy on the server during the fan-out when PW_BENCH_API_PROFILE names an output file."""
    out = os.environ.get("PW_BENCH_API_PROFILE")
    if not out:
        return None
    spy = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return subprocess.Popen(
        [spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "50", "--format", "raw", "-o", out,
         "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def _clients(url: str, key: str | None, ids: list[str], rounds: int, out: Any, index: int) -> None:
    """Each client reads frames until it has seen the last round (or the deadline passes).

    Latency = the time the client read the frame minus the frame's `updatedAt`, which the
    publisher stamped when it handed the message to the Kafka producer (API) or when the raw
    server started sending that slice (baseline). Rounds before WARMUP are not counted.
    """
    from websockets.asyncio.client import connect

    latencies: list[tuple[int, float]] = []  # (round, ms)
    frames = [0]
    connected = [0]
    done = asyncio.Event()
    finished = [0]
    # Nobody hangs up before everyone has read the last round: a client closing right after its
    # own last frame put thousands of close handshakes inside the last round's later slices.
    read_all = asyncio.Event()
    reading = [len(ids)]

    async def one(sid: str) -> None:
        protocols = ["graphql-transport-ws"] if key else None
        try:
            async with connect(url, subprotocols=protocols, max_queue=None, open_timeout=180) as ws:  # type: ignore[arg-type]
                if key:
                    await ws.send(
                        orjson.dumps({"type": "connection_init", "payload": {"apiKey": key}}).decode()
                    )
                    await ws.recv()
                    payload = {"query": SUB, "variables": {"ids": [sid]}}
                    await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
                else:
                    await ws.send(sid)
                connected[0] += 1
                try:
                    async for raw in ws:
                        now = time.time()
                        frames[0] += 1
                        update = orjson.loads(raw)["payload"]["data"]["stationUpdated"]
                        stats = update["station"]["stats"]
                        n = stats["ballotsIssued"]
                        if n >= WARMUP:
                            latencies.append(
                                (n, (now - datetime.fromisoformat(stats["updatedAt"]).timestamp()) * 1000)
                            )
                        if n >= rounds - 1:
                            break
                finally:
                    reading[0] -= 1
                    if reading[0] == 0:
                        read_all.set()
                await read_all.wait()
        finally:
            finished[0] += 1
            if finished[0] == len(ids):
                done.set()

    tasks = [asyncio.create_task(one(s)) for s in ids]
    # Report connection progress so the driver knows when everyone is subscribed.
    while connected[0] < len(ids) and finished[0] < len(ids):
        out.put(("connected", index, connected[0]))
        await asyncio.sleep(0.5)
    out.put(("connected", index, connected[0]))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), rounds + 30)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.put(("latencies", index, (latencies, frames[0])))


def _client_main(url: str, key: str | None, ids: list[str], rounds: int, out: Any, index: int) -> None:
    asyncio.run(_clients(url, key, ids, rounds, out, index))


def _frame(sid: str, n: int, stamp: str) -> str:
    stats = {"ballotsIssued": n, "updatedAt": stamp}
    data = {"stationUpdated": {"seq": n + 1, "station": {"id": sid, "stats": stats}}}
    return orjson.dumps({"id": "1", "type": "next", "payload": {"data": data}}).decode()


def _raw_server(port: int, ready: Any, go: Any, rounds: int) -> None:
    """A plain Starlette WebSocket broadcast of the same frames, paced like the publisher."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    clients: dict[str, WebSocket] = {}

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        clients[await ws.receive_text()] = ws
        ready.value = len(clients)
        with contextlib.suppress(Exception):  # the client hung up
            await ws.receive_text()

    async def broadcast() -> None:
        while not go.value:  # noqa: ASYNC110 (a flag set by the driver in another process)
            await asyncio.sleep(0.05)
        ids = sorted(clients)
        step = max(1, len(ids) // SLICES)
        for n in range(rounds):
            tick = time.monotonic()
            for k, i in enumerate(range(0, len(ids), step)):
                await asyncio.sleep(max(0.0, tick + k / SLICES - time.monotonic()))
                stamp = datetime.now(UTC).isoformat()
                for sid in ids[i : i + step]:
                    ws = clients.get(sid)
                    if ws is not None:
                        try:
                            await ws.send_text(_frame(sid, n, stamp))
                        except Exception:  # a closed client leaves the broadcast
                            clients.pop(sid, None)
            await asyncio.sleep(max(0.0, tick + 1 - time.monotonic()))

    async def main() -> None:
        server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[WebSocketRoute("/ws", endpoint)]),
                port=port,
                log_level="error",
                ws="websockets-sansio",  # what the API runs (uvicorn's default for websockets)
                ws_per_message_deflate=False,  # as the API's default (API_WS_PER_MESSAGE_DEFLATE)
                backlog=8192,
            )
        )
        task = asyncio.create_task(broadcast())
        await server.serve()
        task.cancel()

    asyncio.run(main())


def _fan_out(
    url: str, key: str | None, ids: list[str], subscribed: Any, publish: Any, server_pid: int, profile: bool
) -> dict[str, float]:
    """Clients in CLIENT_PROCESSES processes; `publish()` runs once all are subscribed.

    The server's CPU time from the first published round until every client is done, over
    the frames delivered, is its CPU cost per delivered message (warm-up rounds included).
    """
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    rounds = WARMUP + SECONDS
    chunks = [ids[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    procs = [
        ctx.Process(target=_client_main, args=(url, key, c, rounds, out, i)) for i, c in enumerate(chunks)
    ]
    for p in procs:
        p.start()
    connected = dict.fromkeys(range(len(procs)), 0)
    deadline = time.monotonic() + 300
    latencies: list[float] = []
    by_round: dict[int, list[float]] = {}
    frames = 0  # every frame read, warm-up rounds included
    results = 0
    while time.monotonic() < deadline and not (sum(connected.values()) >= len(ids) and subscribed()):
        with contextlib.suppress(queue.Empty):
            kind, index, value = out.get(timeout=0.5)
            if kind == "connected":
                connected[index] = value
    load_before = _load()
    cpu_before = _cpu_seconds(server_pid)
    spy = _profile(server_pid, rounds) if profile else None
    started = time.monotonic()
    publish(rounds)
    publish_s = time.monotonic() - started
    while results < len(procs):
        kind, _, value = out.get(timeout=rounds + 180)
        if kind == "latencies":
            for n, ms in value[0]:
                latencies.append(ms)
                by_round.setdefault(n, []).append(ms)
            frames += value[1]
            results += 1
    cpu = _cpu_seconds(server_pid) - cpu_before
    if spy is not None:
        spy.wait(timeout=60)
    for p in procs:
        p.join(timeout=30)
    return {
        "received": len(latencies),
        "expected": len(ids) * SECONDS,
        "p50_ms": _pct(latencies, 0.5),
        "p99_ms": _pct(latencies, 0.99),
        "max_ms": max(latencies, default=float("nan")),
        # Where the tail comes from: each measured round's p99 (a pause shows as one bad round).
        "p99_by_round_ms": "/".join(f"{_pct(by_round[n], 0.99):.0f}" for n in sorted(by_round)),  # type: ignore[dict-item]
        "publish_s": publish_s,
        "server_cpu_s": cpu,
        "server_cpu_us_per_update": cpu * 1e6 / (len(ids) * rounds),  # every round's updates
        "server_cpu_us_per_frame": cpu * 1e6 / max(frames, 1),  # per frame delivered
        "load_before": load_before,  # type: ignore[dict-item]
        "load_after": _load(),  # type: ignore[dict-item]
    }


def _subscriptions_active(api_url: str) -> float:
    body = httpx.get(f"{api_url}/metrics", timeout=10).text
    prefix = 'pollwatch_api_subscriptions_active{subscription="stationUpdated"}'
    line = next((x for x in body.splitlines() if x.startswith(prefix)), "0 0")
    return float(line.split()[-1])


def _gc_pauses(api_url: str) -> dict[str, float]:
    """The API's garbage-collector pause count and total seconds by generation (its /metrics)."""
    found: dict[str, float] = {}
    for line in httpx.get(f"{api_url}/metrics", timeout=10).text.splitlines():
        if line.startswith("pollwatch_api_gc_pause_seconds_") and "generation=" in line:
            name, value = line.rsplit(" ", 1)
            kind = name.split("{")[0].removeprefix("pollwatch_api_gc_pause_seconds_")
            generation = name.split("generation=")[1][1]
            if kind in ("count", "sum"):
                found[f"gc{generation}_{kind}"] = float(value)
    return found


async def _publisher(shared: SharedSettings, ids: list[str], rounds: int) -> None:
    """Round n: every station once, in SLICES slices spread over the second, stamped at send."""
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, linger_ms=2)
    await producer.start()
    try:
        topic = shared.topic(topics.STATION_STATS.name)
        step = max(1, len(ids) // SLICES)
        for n in range(rounds):
            tick = time.monotonic()
            for k, i in enumerate(range(0, len(ids), step)):
                await asyncio.sleep(max(0.0, tick + k / SLICES - time.monotonic()))
                for sid in ids[i : i + step]:
                    await producer.send(topic, codec.encode_station_stats(_stats(sid, n)), key=sid.encode())
            await asyncio.sleep(max(0.0, tick + 1 - time.monotonic()))
        await producer.flush()
    finally:
        await producer.stop()


def run() -> dict[str, object]:
    from tests.support.processes import free_port

    shared = fresh_settings()
    key = asyncio.run(_seed(shared))
    port = free_port()
    # One key drives every query and all the subscribers: no throttle may stand in the way.
    unthrottled = {
        "API_RATE_PER_SECOND": "100000",
        "API_RATE_BURST": "100000",
        "API_COST_PER_SECOND": "100000000",
        "API_COST_BURST": "100000000",
    }
    ids = [f"S{i:06}" for i in range(SUBSCRIBERS)]
    figures: dict[str, object] = {"load_at_start": _load()}
    # The baseline first: a raw Starlette broadcast of the same frames to as many clients.
    raw_port = free_port()
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Value("i", 0), ctx.Value("i", 0)
    raw = ctx.Process(target=_raw_server, args=(raw_port, ready, go, WARMUP + SECONDS))
    raw.start()
    try:
        time.sleep(1.5)

        def start_raw(_: int) -> None:
            go.value = 1
            time.sleep(WARMUP + SECONDS + 1)

        raw_fig = _fan_out(
            f"ws://127.0.0.1:{raw_port}/ws",
            None,
            ids,
            lambda: ready.value >= len(ids),
            start_raw,
            raw.pid or 0,
            profile=False,
        )
    finally:
        raw.terminate()
        raw.join(timeout=10)
    with api_process(shared, port, **unthrottled) as api:
        url = f"http://127.0.0.1:{port}"
        if os.environ.get("PW_BENCH_API_QUERIES", "1") != "0":
            figures |= asyncio.run(_query_latency(url, key, shared))
        gc_before: dict[str, float] = {}

        def publish(rounds: int) -> None:
            gc_before.update(_gc_pauses(url))
            asyncio.run(_publisher(shared, ids, rounds))

        api_fig = _fan_out(
            f"ws://127.0.0.1:{port}/graphql",
            key,
            ids,
            lambda: _subscriptions_active(url) >= len(ids),
            publish,
            api.pid,
            profile=True,
        )
        # Collections during the fan-out: a full one walks every connection's objects.
        gc_after = _gc_pauses(url)
        figures |= {f"api_fan_out_{k}": v - gc_before.get(k, 0.0) for k, v in gc_after.items()}
    figures |= {"subscribers": SUBSCRIBERS, "measured_seconds": SECONDS}
    figures |= {f"api_{k}": v for k, v in api_fig.items()}
    figures |= {f"raw_ws_{k}": v for k, v in raw_fig.items()}
    figures |= {
        "api_vs_raw_p50_ratio": api_fig["p50_ms"] / max(raw_fig["p50_ms"], 1e-9),
        "api_vs_raw_p99_ratio": api_fig["p99_ms"] / max(raw_fig["p99_ms"], 1e-9),
        "api_vs_raw_cpu_ratio": api_fig["server_cpu_s"] / max(raw_fig["server_cpu_s"], 1e-9),
        "targets": "station p99 < 20 ms; first page p99 < 50 ms; subscribers p99 < 500 ms",
    }
    for name, value in figures.items():
        print(f"api  {name:34} {value:,.2f}" if isinstance(value, float) else f"api  {name:34} {value}")
    return figures
