"""The whole pipeline: end-to-end latency at fixed rates and alert quality (the national replays
are bench/replay_bench.py).

- Latency: a turnout report's ingest acknowledgement (202) to the subscription message that
  first shows it, at 500 and 2,000 reports/s, beside a raw Kafka produce-to-consume loop at the
  same rate in the same run.
- Alert quality: a simulated day with injected irregularities; precision and recall per rule.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
import orjson
import websockets
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.support import fresh_settings, pipeline, raw_topic
from services.aggregator.domain.rule_config import load_rules
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.model import DayOptions, plan_day
from services.simulator.provision import Credentials, provision_monitors, provision_region_monitors
from services.simulator.scenario import Irregularity
from services.simulator.sender import Sender
from tests.support.api_client import create_api_key, graphql
from tests.support.processes import Service

RATES = tuple(int(r) for r in os.environ.get("PW_BENCH_E2E_RATES", "500,2000").split(","))
SECONDS = float(os.environ.get("PW_BENCH_E2E_SECONDS", "15"))
QUALITY_STATIONS = int(os.environ.get("PW_BENCH_QUALITY_STATIONS", "600"))
TICK = 0.05  # the load generator sends one batch every 50 ms


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def db_conn(shared: SharedSettings) -> asyncpg.Connection:
    return await asyncpg.connect(shared.database_url.get_secret_value())


# --- latency ------------------------------------------------------------------------------


async def raw_kafka_latency(shared: SharedSettings, rate: int) -> list[float]:
    """Produce timestamped messages at `rate`/s, consume them, measure produce-ack to consume."""
    topic = await raw_topic(shared, f"raw-{rate}")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=shared.kafka_bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=5
    )
    await consumer.start()
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    acked: dict[bytes, float] = {}
    seen: list[float] = []
    stop = time.monotonic() + SECONDS

    async def consume() -> None:
        while time.monotonic() < stop + 2:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.monotonic()
            for messages in batch.values():
                for m in messages:
                    if m.key in acked:
                        seen.append(now - acked.pop(m.key))

    reader = asyncio.create_task(consume())
    await asyncio.sleep(1)
    per_tick = max(1, round(rate * TICK))
    n = 0
    next_tick = time.monotonic()
    while time.monotonic() < stop:
        futures = []
        for _ in range(per_tick):
            n += 1
            key = f"raw-{n}".encode()
            futures.append((key, await producer.send(topic, b"x" * 120, key=key)))
        for key, fut in futures:
            await fut
            acked.setdefault(key, time.monotonic())
        next_tick += TICK
        await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
    await reader
    await producer.stop()
    await consumer.stop()
    return seen


async def e2e_latency(
    services: dict[str, Service], shared: SharedSettings, token: str, key: str, stations: list[str], rate: int
) -> list[float]:
    """Turnout reports at `rate`/s through ingest; latency to the first stationUpdated showing each."""
    acked: dict[str, list[tuple[int, float]]] = defaultdict(list)
    latencies: list[float] = []
    ws_url = services["api"].url.replace("http", "ws") + "/graphql"
    query = "subscription { stationUpdated { seq station { id stats { ballotsIssued } } } }"
    stop = time.monotonic() + SECONDS

    async def listen() -> None:
        async with websockets.connect(
            ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], max_size=None
        ) as ws:
            await ws.send(orjson.dumps({"type": "connection_init", "payload": {"apiKey": key}}).decode())
            await ws.recv()
            await ws.send(
                orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}).decode()
            )
            while time.monotonic() < stop + 5:
                try:
                    frame = orjson.loads(await asyncio.wait_for(ws.recv(), 1))
                except TimeoutError:
                    continue
                now = time.monotonic()
                if frame.get("type") != "next":
                    continue
                station = frame["payload"]["data"]["stationUpdated"]["station"]
                issued = (station["stats"] or {}).get("ballotsIssued", 0)
                pending = acked.get(station["id"], [])
                while pending and pending[0][0] <= issued:
                    latencies.append(now - pending.pop(0)[1])

    listener = asyncio.create_task(listen())
    await asyncio.sleep(2)  # the current state arrives first; measure only what follows
    per_tick = max(1, round(rate * TICK))
    counts: dict[str, int] = defaultdict(int)
    base = datetime.now(UTC) - timedelta(hours=1)
    n = 0
    async with httpx.AsyncClient(timeout=30) as client:
        next_tick = time.monotonic()
        pending_posts: list[asyncio.Task[None]] = []
        while time.monotonic() < stop:
            batch = []
            for _ in range(per_tick):
                sid = stations[n % len(stations)]
                n += 1
                counts[sid] += 1
                batch.append(
                    {
                        "id": f"lat-{uuid.uuid4().hex}",
                        "station_id": sid,
                        "observed_at": (base + timedelta(seconds=n / rate)).isoformat(),
                        "turnout": {"ballots_issued": counts[sid], "home_voting_applications": 0},
                    }
                )

            async def post(batch: list[dict[str, Any]] = batch) -> None:
                response = await client.post(
                    f"{services['ingest'].url}/v1/reports",
                    json={"reports": batch},
                    headers={"Authorization": f"Bearer {token}"},
                )
                now = time.monotonic()
                if response.status_code == 202:
                    for report in batch:
                        acked[report["station_id"]].append((report["turnout"]["ballots_issued"], now))

            pending_posts.append(asyncio.create_task(post()))
            next_tick += TICK
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
        await asyncio.gather(*pending_posts)
    await listener
    return latencies


def latency_figures(shared: SharedSettings) -> dict[str, float]:
    registry = demo_registry()
    stations = [s.id for s in registry.stations]

    async def prepare() -> dict[str, Credentials]:
        conn = await db_conn(shared)
        try:
            await store_registry(conn, registry)
            return await provision_region_monitors(conn, {"ALL": stations}, uuid.uuid4().hex[:8])
        finally:
            await conn.close()

    creds = asyncio.run(prepare())
    out: dict[str, float] = {}
    with pipeline(shared) as services:
        key = create_api_key(shared, "analyst", "bench")
        for rate in RATES:
            raw = asyncio.run(raw_kafka_latency(shared, rate))
            e2e = asyncio.run(e2e_latency(services, shared, creds[stations[0]].token, key, stations, rate))
            out |= {
                f"e2e_{rate}_per_s_p50_ms": pct(e2e, 0.5) * 1000,
                f"e2e_{rate}_per_s_p99_ms": pct(e2e, 0.99) * 1000,
                f"e2e_{rate}_per_s_measured": float(len(e2e)),
                f"raw_kafka_{rate}_per_s_p50_ms": pct(raw, 0.5) * 1000,
                f"raw_kafka_{rate}_per_s_p99_ms": pct(raw, 0.99) * 1000,
                f"e2e_over_raw_{rate}_per_s_p99": pct(e2e, 0.99) / max(pct(raw, 0.99), 1e-6),
            }
    return out


# --- alert quality ------------------------------------------------------------------------

# Simulated seconds per wall second for the alert-quality day. Every station reports on the
# hour; at 1,500x the sender (32 requests in flight, on this shared machine) took 2.7-5 s to
# deliver one hour's 600 reports, i.e. some reached ingest 1.1-2 simulated hours late, and
# the aggregator rightly saw those stations silent: 19-26 "false" silence alerts a run (all
# 19 of the run checked were such stations; a skew-free replay of the schedule flags none).
QUALITY_SPEED = 500

# The rules each injected irregularity is meant to raise (profile demo, services/aggregator/rules/).
EXPECTED_RULES = {
    # A stuffed station also stands out from its region by evening: the outlier rule should see it.
    Irregularity.BALLOT_STUFFING: ("turnout_jump", "grave_incident", "turnout_outlier"),
    Irregularity.CAROUSEL: ("grave_incident",),
    Irregularity.HOME_VOTING: ("home_voting",),
    Irregularity.MONITOR_REMOVED: ("silent_station",),
    Irregularity.PROTOCOL_REFUSED: ("protocol_refused",),
    Irregularity.PROTOCOL_INCONSISTENT: ("protocol_inconsistent",),
    Irregularity.CHECKLIST_FAILED: ("checklist_failed",),
    Irregularity.MONITOR_BARRED: ("monitor_absent",),
}


def alert_quality(shared: SharedSettings) -> dict[str, float]:
    registry = demo_registry()
    chosen = list(registry.stations[:: max(1, len(registry.stations) // QUALITY_STATIONS)])[:QUALITY_STATIONS]
    run_id = uuid.uuid4().hex[:8]

    async def prepare() -> dict[str, Credentials]:
        conn = await db_conn(shared)
        try:
            await store_registry(conn, registry.__class__(registry.regions, tuple(chosen)))
            return await provision_monitors(conn, [s.id for s in chosen], run_id)
        finally:
            await conn.close()

    creds = asyncio.run(prepare())
    almaty = timezone(timedelta(hours=5))
    opening = datetime.combine((datetime.now(almaty) - timedelta(days=2)).date(), datetime.min.time(), almaty)
    day = plan_day(chosen, DayOptions(opening.replace(hour=7), run_id, seed=5, irregular_share=0.2))
    expected: dict[str, set[str]] = defaultdict(set)
    for t in day.truth.values():
        for irregularity in t.irregularities:
            for rule in EXPECTED_RULES[irregularity]:
                expected[rule].add(t.station_id)
        if t.ballots_issued >= 0.9 * t.registered_voters:
            expected["abnormal_turnout"].add(t.station_id)
    # Any report of a violation_reported type (minor incidents at clean stations too) is one.
    reported_types = set(load_rules().violation_reported.severities)
    for r in day.reports:
        if isinstance(r.body, ev.Incident) and r.body.violation in reported_types:
            expected["violation_reported"].add(r.station_id)
    with pipeline(shared) as services:
        deliveries = schedule(
            day, DeliveryOptions(speed=QUALITY_SPEED, resend_share=0.05, late_share=0.05, seed=5)
        )
        started = time.monotonic()
        sender = Sender(services["ingest"].url, creds)
        asyncio.run(sender.run(deliveries))
        sent_s = time.monotonic() - started
        key = create_api_key(shared, "analyst", "bench")
        time.sleep(10)  # let the last protocols and the silence rule settle
        raised: dict[str, set[str]] = defaultdict(set)
        after = None
        while True:
            page = graphql(
                services["api"].url,
                key,
                "query($after: String) { alerts(first: 100, after: $after) "
                "{ nodes { rule stationId } pageInfo { endCursor hasNextPage } } }",
                after=after,
            )["alerts"]
            for a in page["nodes"]:
                raised[a["rule"]].add(a["stationId"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    out: dict[str, float] = {
        "quality_stations": float(len(chosen)),
        "quality_day_sent_s": sent_s,
        "quality_reports": float(len(day.reports)),
    }
    for rule in sorted(set(expected) | set(raised)):
        hits = len(expected[rule] & raised[rule])
        out[f"{rule}_precision"] = hits / len(raised[rule]) if raised[rule] else float("nan")
        out[f"{rule}_recall"] = hits / len(expected[rule]) if expected[rule] else float("nan")
        out[f"{rule}_raised"] = float(len(raised[rule]))
    return out


def run() -> dict[str, float]:
    out: dict[str, float] = {}
    for part in (latency_figures, alert_quality):
        figures = part(fresh_settings())
        for key, value in figures.items():
            print(f"{key:40s} {value:14.3f}")
        out |= figures
    return out


if __name__ == "__main__":
    run()
