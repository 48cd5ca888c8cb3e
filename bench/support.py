"""What benchmarks share: their own Kafka and PostgreSQL, and a fresh namespace and database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from pydantic import SecretStr

from services.common.kafka_admin import ensure_topics
from services.common.migrate import apply_migrations
from services.common.settings import SharedSettings

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
