"""Reaching the real Kafka and PostgreSQL for tests, starting them with infra/ scripts if needed.

`make test` starts both before pytest (state in .local/test, ports 19092/19093 and 25433) and
stops them after; run alone, pytest starts them itself and stops what it started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from services.common.infra.migrate import apply_migrations

ROOT = Path(__file__).resolve().parents[2]
KAFKA_PORT = int(os.environ.get("PW_TEST_KAFKA_PORT", "19092"))
KAFKA_CONTROLLER_PORT = int(os.environ.get("PW_TEST_KAFKA_CONTROLLER_PORT", "19093"))
PG_PORT = int(os.environ.get("PW_TEST_PG_PORT", "25433"))
STATE_DIR = Path(os.environ.get("PW_TEST_STATE_DIR", str(ROOT / ".local" / "test")))


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _script_env() -> dict[str, str]:
    return os.environ | {
        "PW_STATE_DIR": str(STATE_DIR),
        "KAFKA_PORT": str(KAFKA_PORT),
        "KAFKA_CONTROLLER_PORT": str(KAFKA_CONTROLLER_PORT),
        "PGPORT": str(PG_PORT),
        # The test cluster is disposable: durability to disk only slows the suite.
        "PG_FSYNC": "off",
    }


def run_script(name: str, action: str) -> None:
    subprocess.run([str(ROOT / "infra" / name), action], env=_script_env(), check=True)


@dataclass
class Infra:
    kafka_bootstrap: str
    admin_database_url: str
    started: list[str]

    def database_url(self, name: str) -> str:
        return f"postgresql://pollwatch@127.0.0.1:{PG_PORT}/{name}"


def ensure_infra() -> Infra:
    started: list[str] = []
    if not port_open(KAFKA_PORT):
        run_script("kafka.sh", "start")
        started.append("kafka.sh")
    if not port_open(PG_PORT):
        run_script("postgres.sh", "start")
        started.append("postgres.sh")
    return Infra(
        kafka_bootstrap=f"127.0.0.1:{KAFKA_PORT}",
        admin_database_url=f"postgresql://pollwatch@127.0.0.1:{PG_PORT}/postgres",
        started=started,
    )


def stop_started(infra: Infra) -> None:
    for script in reversed(infra.started):
        run_script(script, "stop")


async def create_database(infra: Infra) -> str:
    """A new database with every migration applied; returns its URL."""
    name = f"pw_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = infra.database_url(name)
    apply_migrations(url)
    return url


async def drop_database(infra: Infra, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def delete_namespace_topics(infra: Infra, namespace: str) -> None:
    """Deletes every topic of `namespace` (the services' internal ones too): a full run otherwise
    leaves ~15,000 partitions on the test broker, which then runs out of heap on the next start."""
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(f"{namespace}.")]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()
