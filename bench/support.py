"""What benchmarks share: their own Kafka and PostgreSQL, and a fresh namespace and database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pydantic import SecretStr

from services.common.contracts import topics
from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.migrate import apply_migrations
from services.common.infra.settings import SharedSettings
from tests.support.processes import Service, run_all

ROOT = Path(__file__).resolve().parents[1]
# Apart from `make up` (9092, 55432) and the tests (19092, 25433); all below the ephemeral range.
KAFKA_PORT = int(os.environ.get("PW_BENCH_KAFKA_PORT", "29092"))
PG_PORT = int(os.environ.get("PW_BENCH_PG_PORT", "25434"))
ENV = os.environ | {
    "PW_STATE_DIR": os.environ.get("PW_BENCH_STATE_DIR", str(ROOT / ".local" / "bench")),
    "KAFKA_PORT": str(KAFKA_PORT),
    "KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1),
    "PGPORT": str(PG_PORT),
    "KAFKA_HEAP": "1g",
}


@contextmanager
def bench_infra() -> Iterator[None]:
    """Starts the benchmark Kafka and PostgreSQL; stops them after."""
    for script in ("kafka.sh", "postgres.sh"):
        subprocess.run([str(ROOT / "infra" / script), "start"], env=ENV, check=True)
    try:
        yield
    finally:
        for script in ("kafka.sh", "postgres.sh"):
            subprocess.run([str(ROOT / "infra" / script), "stop"], env=ENV, check=False)


def fresh_settings() -> SharedSettings:
    """A new topic namespace and a new migrated database on the benchmark infrastructure."""
    name = f"bench_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        conn = await asyncpg.connect(f"postgresql://pollwatch@127.0.0.1:{PG_PORT}/postgres")
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    url = f"postgresql://pollwatch@127.0.0.1:{PG_PORT}/{name}"
    apply_migrations(url)
    shared = SharedSettings(
        kafka_bootstrap=f"127.0.0.1:{KAFKA_PORT}", topic_namespace=name, database_url=SecretStr(url)
    )
    asyncio.run(ensure_topics(shared.kafka_bootstrap, name))
    return shared


def metric_sum(text: str, name: str) -> float:
    """The sum of a metric's samples (every label set) in a Prometheus text scrape."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


async def load_stations(conn: asyncpg.Connection, count: int, regions: int = 20) -> None:
    """`regions` regions R00.. and `count` stations S000000.. spread over them, each with stats."""
    now = datetime.now(UTC)
    await conn.executemany(
        "INSERT INTO regions (id, name) VALUES ($1, $2)",
        [(f"R{r:02}", f"Region {r}") for r in range(regions)],
    )
    await conn.copy_records_to_table(
        "stations",
        records=[(f"S{i:06}", f"R{i % regions:02}", "", f"Station {i}", 1000) for i in range(count)],
        columns=["id", "region_id", "district", "name", "registered_voters"],
    )
    await conn.copy_records_to_table(
        "station_stats",
        records=[
            (f"S{i:06}", f"R{i % regions:02}", 1000, i % 900, (i % 900) / 10, 1.0, 0, 0.0, now, 0, 1, False, now)  # noqa: E501
            for i in range(count)
        ],
        columns=[
            "station_id", "region_id", "registered_voters", "ballots_issued", "turnout_pct",
            "turnout_rate_pp_per_hour", "home_voting_applications", "home_voting_pct", "last_report_at",
            "open_alerts", "reports_processed", "silent", "updated_at",
        ],
    )  # fmt: skip


@contextmanager
def api_process(shared: SharedSettings, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """The API as its own process on `port` over `shared` (plus `env`), ready; stopped after."""
    full = os.environ | {
        "POLLWATCH_KAFKA_BOOTSTRAP": shared.kafka_bootstrap,
        "POLLWATCH_TOPIC_NAMESPACE": shared.topic_namespace,
        "POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value(),
        "POLLWATCH_LOG_LEVEL": "WARNING",
        "API_PORT": str(port),
    }
    with tempfile.TemporaryFile() as log:
        api = subprocess.Popen(
            [sys.executable, "-m", "services", "api"], env=full | env, stdout=log, stderr=log
        )
        try:
            for _ in range(120):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            yield api
        finally:
            api.terminate()
            api.wait(timeout=30)


@contextmanager
def pipeline(shared: SharedSettings, **env: str) -> Iterator[dict[str, Service]]:
    """The three services on `shared`, ready; `env` adds settings (e.g. a rules profile)."""
    with tempfile.TemporaryDirectory() as tmp, run_all(shared, Path(tmp), **env) as services:
        for service in services.values():
            if service.wait_ready(90).status_code != 200:
                raise RuntimeError(f"{service.name} not ready:\n{service.log_tail()}")
        yield services


async def raw_topic(shared: SharedSettings, name: str) -> str:
    """A topic for a raw baseline, partitioned like the reports topic; returns its name."""
    topic = f"{shared.topic_namespace}.bench.{name}"
    admin = AIOKafkaAdminClient(bootstrap_servers=shared.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, topics.REPORTS.partitions, 1)])
    finally:
        await admin.close()
    return topic
