"""`pollwatch keys` with region scopes, the real command (in a thread) against PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.cli import app
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import gql
from tests.integration.api.conftest import Api


async def keys_command(shared: SharedSettings, *args: str) -> Result:
    """`pollwatch keys ...`, off the event loop (the command runs its own)."""
    env = {"POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value()}
    return await asyncio.to_thread(CliRunner().invoke, app, ["keys", *args], env=env)


async def test_a_key_created_for_regions_reads_only_them(
    api: Api, shared_settings: SharedSettings, db: asyncpg.Connection
) -> None:
    created = await keys_command(
        shared_settings,
        "create",
        "--role",
        "partner",
        "--org",
        "Regional NGO",
        "--region",
        "R2",
        "--region",
        "R2",
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.splitlines()[0]
    row = await db.fetchrow("SELECT regions FROM api_keys WHERE id = $1", token.split("_")[1])
    assert row is not None
    assert row["regions"] == ["R2"]
    body = await gql(api.url, "{ regions { id } stations { nodes { id } } }", token)
    assert body["data"] == {"regions": [{"id": "R2"}], "stations": {"nodes": [{"id": "S4"}]}}
    listed = await keys_command(shared_settings, "list")
    assert "Regional NGO\tactive\tregions R2\t" in listed.stdout


async def test_unknown_regions_and_scoped_admin_keys_are_refused(
    shared_settings: SharedSettings, seeded: None, db: asyncpg.Connection
) -> None:
    unknown = await keys_command(
        shared_settings, "create", "--role", "partner", "--org", "x", "--region", "R1", "--region", "R9"
    )
    assert unknown.exit_code == 2
    assert "no region R9 in the registry: key not created" in unknown.stderr
    admin = await keys_command(shared_settings, "create", "--role", "admin", "--org", "x", "--region", "R1")
    assert admin.exit_code == 2
    assert "cannot be limited to regions" in admin.stderr
    assert await db.fetchval("SELECT count(*) FROM api_keys") == 0
    # The table refuses them too, whoever writes it.
    new = generate_key()
    with pytest.raises(asyncpg.CheckViolationError):
        await key_sql.insert_key(db, new.id, hash_secret(new.secret), "admin", "ops", False, ["R1"])
    with pytest.raises(asyncpg.CheckViolationError):
        await key_sql.insert_key(db, new.id, hash_secret(new.secret), "partner", "ngo", False, [])
