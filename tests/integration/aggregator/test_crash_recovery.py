"""SIGKILL mid-stream, restart: the same final figures and no duplicate alerts as a clean run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from services.common.contracts.events import Report
from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.migrate import apply_migrations
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from tests.integration.aggregator import scripted_day as day
from tests.integration.aggregator.harness import aggregator, caught_up, produce, produce_day, rounds, settled
from tests.support.infra import Infra


@pytest.fixture
async def second_run(infra: Infra) -> AsyncIterator[tuple[SharedSettings, asyncpg.Connection]]:
    """A second namespace and database for the run that gets killed."""
    name = f"pw_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = infra.database_url(name)
    apply_migrations(url)
    namespace = f"t{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka_bootstrap, namespace)
    shared = SharedSettings(
        kafka_bootstrap=infra.kafka_bootstrap, topic_namespace=namespace, database_url=SecretStr(url)
    )
    conn = await asyncpg.connect(url)
    try:
        yield shared, conn
    finally:
        await conn.close()
        admin = await asyncpg.connect(infra.admin_database_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def test_sigkill_mid_stream_and_restart_gives_identical_results(
    shared_settings: SharedSettings,
    db: asyncpg.Connection,
    second_run: tuple[SharedSettings, asyncpg.Connection],
    tmp_path: Path,
) -> None:
    items = day.reports()
    expected = day.distinct_reports()

    await store_registry(db, day.registry())
    with aggregator(shared_settings, tmp_path / "clean") as service:
        assert service.wait_ready().status_code == 200
        await produce_day(shared_settings, db, items, day.ROUNDS)
        reference = await settled(db, expected, service)

    shared, conn = second_run
    await store_registry(conn, day.registry())
    chunks = rounds(items, day.ROUNDS)
    half = len(chunks) // 2
    workdir = tmp_path / "killed"
    sent: list[Report | bytes] = []
    with aggregator(shared, workdir) as service:
        assert service.wait_ready().status_code == 200
        for chunk in chunks[:half]:
            await produce(shared, chunk)
            sent += chunk
            await caught_up(conn, sent)
        # the next round arrives and the worker dies while (or right after) processing it
        await produce(shared, chunks[half])
        sent += chunks[half]
        service.stop(kill=True)
        assert service.process.returncode == -9
    with aggregator(shared, workdir) as service:
        assert service.wait_ready().status_code == 200
        await caught_up(conn, sent)
        for chunk in chunks[half + 1 :]:
            await produce(shared, chunk)
            sent += chunk
            await caught_up(conn, sent)
        recovered = await settled(conn, expected, service)

    assert recovered["stations"] == reference["stations"]
    assert recovered["regions"] == reference["regions"]
    assert recovered["alerts"] == reference["alerts"]
    assert (recovered["reports"], recovered["series"]) == (reference["reports"], reference["series"])
    assert {(a["id"], a["state"], a["severity"]) for a in recovered["alerts"]} == day.EXPECTED_ALERTS
