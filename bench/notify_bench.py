"""Alerts to a webhook: "a critical alert reaches a webhook receiver within 2 s of being raised,
signed, once", measured on the real stack (Kafka, PostgreSQL, `pollwatch messenger` as its own
process, a receiver over HTTP that verifies each signature and counts each delivery).

Raised = written to the alerts topic as the aggregator writes it; received = the receiver has
the verified request. ALERTS critical alerts are raised PACE_SECONDS apart. Baseline from the
same run: the same alerts through a bare aiokafka consumer that signs and posts each one at once
to the same receiver (no PostgreSQL, no routing, no delivery log): the least the path can cost.
Figures are the messenger's percentiles, the baseline's and their ratio; `late` counts alerts
over 2 s, `duplicates` second receipts of a delivery, `forged` requests whose signature failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.support import fresh_settings, raw_topic
from services.common.contracts import codec, topics
from services.common.infra.settings import SharedSettings
from services.common.notify import subscriptions as subs
from services.messenger.notify.signature import sign, verify
from tests.support.alerts import alert
from tests.support.asgi_server import serving
from tests.support.processes import free_port, run_service, service_env

ALERTS = 200
PACE_SECONDS = 0.1
TARGET_SECONDS = 2.0


@dataclass
class Receiver:
    """Verifies each request's signature and notes when each delivery first arrived."""

    secret: str
    arrived: dict[str, float] = field(default_factory=dict)  # alert id -> receipt (epoch s)
    requests: Counter[str] = field(default_factory=Counter)
    forged: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def all_arrived(self, ids: set[str]) -> None:
        while not ids <= self.arrived.keys():
            self._changed.clear()
            await self._changed.wait()

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            now = time.time()
            timestamp = request.headers.get("X-Pollwatch-Timestamp", "")
            if not verify(
                self.secret, timestamp, body, request.headers.get("X-Pollwatch-Signature", ""), now
            ):
                self.forged += 1
                return Response(status_code=401)
            delivery = request.headers.get("X-Pollwatch-Delivery", "")
            self.requests[delivery] += 1
            self.arrived.setdefault(delivery.split(":", 1)[0], now)
            self._changed.set()
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


async def _raise(shared: SharedSettings, topic: str, prefix: str) -> dict[str, float]:
    """Publishes ALERTS critical alerts PACE_SECONDS apart; alert id -> when it was raised."""
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all", linger_ms=0)
    await producer.start()
    raised: dict[str, float] = {}
    try:
        for n in range(ALERTS):
            a = alert(f"{prefix}{n:04}", station_id=f"ALA-{n:04}")
            raised[a.id] = time.time()
            await producer.send_and_wait(topic, codec.encode_alert(a), key=a.id.encode())
            await asyncio.sleep(PACE_SECONDS)
    finally:
        await producer.stop()
    return raised


async def _baseline_forwarder(shared: SharedSettings, topic: str, url: str, secret: str) -> None:
    """Consume, sign, post: the raw path the messenger's notifier is measured against."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=shared.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            async for message in consumer:
                a = codec.decode_alert(message.value)
                body = orjson.dumps({"transition": a.transition.value, "alert": {"id": a.id}})
                stamp = int(time.time())
                headers = {
                    "X-Pollwatch-Timestamp": str(stamp),
                    "X-Pollwatch-Signature": sign(secret, stamp, body),
                    "X-Pollwatch-Delivery": f"{a.id}:{a.version}:raw",
                    "Content-Type": "application/json",
                }
                await client.post(url, content=body, headers=headers)
    finally:
        await consumer.stop()


async def _until_received(receiver: Receiver, ids: list[str], within: float) -> None:
    """Waits for every alert to arrive (or `within` seconds), then a second for late duplicates."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within):
            await receiver.all_arrived(set(ids))
    await asyncio.sleep(1.0)


def _latencies(raised: dict[str, float], receiver: Receiver) -> list[float]:
    return sorted(receiver.arrived[i] - t for i, t in raised.items() if i in receiver.arrived)


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _measure(shared: SharedSettings, log_dir: Path) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        _, secret = await subs.subscribe(
            conn, subs.NewSubscription("bench", webhook=url, min_severity="critical"), "bench"
        )
    finally:
        await conn.close()
    assert secret is not None
    out: dict[str, float] = {}
    # Baseline: raw consume, sign, post.
    baseline = Receiver(secret)
    topic = await raw_topic(shared, "alerts")
    await asyncio.sleep(2)  # the new topic's leader settles before anything is timed
    async with serving(baseline.app(), port):
        forwarder = asyncio.create_task(_baseline_forwarder(shared, topic, url, secret))
        raised = await _raise(shared, topic, "B")
        await _until_received(baseline, list(raised), 30)
        forwarder.cancel()
        await asyncio.gather(forwarder, return_exceptions=True)
    raw = _latencies(raised, baseline)
    # The messenger, as deployed: its own process on the same Kafka and PostgreSQL.
    messenger_port = free_port()
    env = service_env(
        shared,
        MESSENGER_PORT=str(messenger_port),
        MESSENGER_PUBLIC_URL=f"http://127.0.0.1:{messenger_port}",
        POLLWATCH_LOG_LEVEL="WARNING",
    )
    receiver = Receiver(secret)
    with run_service("messenger", env, messenger_port, log_dir) as messenger:
        if messenger.wait_ready(90).status_code != 200:
            raise RuntimeError(f"messenger not ready:\n{messenger.log_tail()}")
        async with serving(receiver.app(), port):
            raised = await _raise(shared, shared.topic(topics.ALERTS.name), "M")
            await _until_received(receiver, list(raised), 60)
    got = _latencies(raised, receiver)
    for name, values in (("notify", got), ("notify_baseline_raw", raw)):
        for q in (50, 95, 99):
            out[f"{name}_p{q}_ms"] = _pct(values, q) * 1000
        out[f"{name}_max_ms"] = max(values, default=float("nan")) * 1000
    for q in (50, 99):
        out[f"notify_p{q}_vs_raw"] = out[f"notify_p{q}_ms"] / out[f"notify_baseline_raw_p{q}_ms"]
    out["notify_alerts"] = float(ALERTS)
    out["notify_received"] = float(len(got))
    out["notify_late_over_2s"] = float(sum(v > TARGET_SECONDS for v in got) + ALERTS - len(got))
    out["notify_duplicates"] = float(sum(n - 1 for n in receiver.requests.values()))
    out["notify_forged"] = float(receiver.forged)
    return out


def run() -> dict[str, float]:
    shared = fresh_settings()
    with tempfile.TemporaryDirectory() as tmp:
        out = asyncio.run(_measure(shared, Path(tmp)))
    for name, value in out.items():
        print(f"{name:36s} {value:12.3f}")
    return out


if __name__ == "__main__":
    run()
