"""The demo registry in this test's database, and the `pollwatch` command run against it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from services.cli import app
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry


@pytest.fixture
async def registry(db: asyncpg.Connection) -> None:
    await store_registry(db, demo_registry())


async def pollwatch(database_url: str, *args: str, stdin: str | None = None, **env: str) -> Result:
    """`pollwatch ...`, off the event loop (the command runs its own)."""
    return await asyncio.to_thread(
        CliRunner().invoke, app, list(args), input=stdin, env={"POLLWATCH_DATABASE_URL": database_url, **env}
    )
