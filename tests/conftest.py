"""Fixtures for the real infrastructure: a Kafka namespace and a fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from services.common.kafka_admin import ensure_topics
from services.common.migrate import apply_migrations
from services.common.settings import SharedSettings
from tests.support.infra import Infra, ensure_infra, stop_started


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    running = ensure_infra()
    yield running
    stop_started(running)


@pytest.fixture
def kafka_bootstrap(infra: Infra) -> str:
    return infra.kafka_bootstrap


@pytest.fixture
def namespace() -> str:
    """A topic prefix of this test's own, so tests never see each other's messages."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def kafka_topics(infra: Infra, namespace: str) -> AsyncIterator[str]:
    """Creates every registry topic under this test's namespace; returns the namespace. After
    the test, every topic of the namespace (the services' internal ones too) is deleted: a
    full run otherwise leaves ~15,000 partitions on the test broker, which then runs out of
    heap on the next start."""
    await ensure_topics(infra.kafka_bootstrap, namespace)
    yield namespace
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(f"{namespace}.")]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    """A new database with every migration applied, dropped after the test."""
    name = f"pw_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = infra.database_url(name)
    apply_migrations(url)
    yield url
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def shared_settings(infra: Infra, kafka_topics: str, database_url: str) -> SharedSettings:
    """Settings pointing a service at this test's topics and database."""
    return SharedSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_namespace=kafka_topics,
        database_url=SecretStr(database_url),
    )
