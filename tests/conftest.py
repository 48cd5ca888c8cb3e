"""Markers by folder, and fixtures for the real infrastructure: a Kafka namespace and a fresh
database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from hypothesis import settings
from pydantic import SecretStr

from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.settings import SharedSettings
from tests.support.infra import (
    Infra,
    create_database,
    delete_namespace_topics,
    drop_database,
    ensure_infra,
    stop_started,
)
from tests.support.markers import NEEDS_SOCKETS, folder_marker, serial


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test by its folder; integration and e2e tests get their sockets back."""
    for item in items:
        marker = folder_marker(item.path)
        if marker is not None:
            item.add_marker(marker)
        if marker in NEEDS_SOCKETS:
            item.add_marker(pytest.mark.enable_socket)
        if serial(item.path):
            item.add_marker(pytest.mark.serial)


# No time limit per example: speed is measured by `make bench`, and on a shared 2-core machine
# hypothesis's 200 ms deadline failed examples that only waited for the CPU.
settings.register_profile("pollwatch", deadline=None)
settings.load_profile("pollwatch")


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
    the test, every topic of the namespace (the services' internal ones too) is deleted."""
    await ensure_topics(infra.kafka_bootstrap, namespace)
    yield namespace
    await delete_namespace_topics(infra, namespace)


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    """A new database with every migration applied, dropped after the test."""
    url = await create_database(infra)
    yield url
    await drop_database(infra, url)


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
