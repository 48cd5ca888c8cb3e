"""The whole stack as processes (ingest, aggregator, API serving the built dashboard) and a browser."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.ingest.monitors import add_monitor
from tests.e2e.dashboard.browser import Browser, ensure_chromium, ensure_dashboard_built
from tests.support.processes import Service, run_all

MONITOR_NAME = "Dana Sarsenbayeva"
REGISTRY = Registry(
    regions=(Region("ALA", "Almaty"), Region("AKM", "Akmola Region")),
    stations=tuple(
        [Station(f"ALA-{i:04d}", "ALA", f"School {i}", 1000) for i in range(1, 7)]
        + [Station(f"AKM-{i:04d}", "AKM", f"Akmola station {i}", 800) for i in range(1, 7)]
    ),
)


@dataclass
class Stack:
    services: dict[str, Service]
    shared: SharedSettings
    log_dir: Path
    monitor_token: str
    keys: dict[str, str]

    @property
    def dashboard(self) -> str:
        return f"{self.services['api'].url}/"


def post_report(
    stack: Stack, station: str, body: dict[str, Any], observed_at: datetime | None = None
) -> None:
    """One report (`body`: {"turnout": {...}}, {"incident": {...}}, ...) observed now (or at
    `observed_at`), to ingest over HTTP."""
    when = (observed_at or datetime.now(UTC)).isoformat()
    report = {"id": str(uuid.uuid4()), "station_id": station, "observed_at": when, **body}
    answer = httpx.post(
        f"{stack.services['ingest'].url}/v1/reports",
        json=report,
        headers={"Authorization": f"Bearer {stack.monitor_token}"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["results"][0]["status"] == "accepted", answer.text


@pytest.fixture(scope="session")
def browser_ready() -> None:
    ensure_chromium()
    ensure_dashboard_built()


async def seed(db: asyncpg.Connection, registry: Registry) -> tuple[str, dict[str, str]]:
    """Stores `registry`, a monitor of every station and a key per role: (monitor token, keys)."""
    await store_registry(db, registry)
    _, token = await add_monitor(db, MONITOR_NAME, "+77015550101", [s.id for s in registry.stations])
    keys: dict[str, str] = {}
    for role in ("public", "partner", "analyst", "coordinator", "admin"):
        new = generate_key()
        await key_sql.insert_key(db, new.id, hash_secret(new.secret), role, f"org-{role}", False)
        keys[role] = new.token
    return token, keys


@pytest.fixture
async def seeded(db: asyncpg.Connection) -> tuple[str, dict[str, str]]:
    return await seed(db, REGISTRY)


@pytest.fixture
async def stack(
    shared_settings: SharedSettings, seeded: tuple[str, dict[str, str]], tmp_path: Path, browser_ready: None
) -> AsyncIterator[Stack]:
    token, keys = seeded
    with run_all(shared_settings, tmp_path) as services:
        for name, service in services.items():
            ready = service.wait_ready(timeout=90)
            assert ready.status_code == 200, f"{name}: {ready.text}\n{service.log_tail()}"
        yield Stack(services, shared_settings, tmp_path, token, keys)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser()
    try:
        yield b
    finally:
        b.close()
