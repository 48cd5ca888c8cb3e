"""The audit log on real PostgreSQL: the services' role appends but can never alter it; every
action by a person lands in it once; admins read it through GraphQL with filters."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from services.cli import app
from services.common import audit
from services.common.infra.db import create_pool
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api

AUDIT = """query($action: String, $actor: String, $first: Int, $after: String) {
  auditLog(action: $action, actor: $actor, first: $first, after: $after) {
    nodes { actor action subject details } pageInfo { endCursor hasNextPage } } }"""


async def command(shared: SharedSettings, *args: str) -> Result:
    """`pollwatch ...`, off the event loop (the command runs its own)."""
    env = {"POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value()}
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def test_the_services_role_appends_to_the_audit_log_but_cannot_update_or_delete(
    database_url: str,
) -> None:
    pool = await create_pool(SharedSettings(database_url=SecretStr(database_url)))
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_user") == "pollwatch_service"
            await audit.record(conn, "cli:ops", "key.revoked", "k1")
            with pytest.raises(
                asyncpg.InsufficientPrivilegeError, match="permission denied for table audit_log"
            ):
                await conn.execute("UPDATE audit_log SET actor = 'someone else'")
            with pytest.raises(
                asyncpg.InsufficientPrivilegeError, match="permission denied for table audit_log"
            ):
                await conn.execute("DELETE FROM audit_log")
            with pytest.raises(
                asyncpg.InsufficientPrivilegeError, match="permission denied for table audit_log"
            ):
                await conn.execute("TRUNCATE audit_log")
            # The rest of the schema stays writable, as the services need.
            assert await conn.execute("UPDATE regions SET name = name") == "UPDATE 0"
            rows = await conn.fetch("SELECT actor, action, subject FROM audit_log")
    finally:
        await pool.close()
    assert [tuple(r) for r in rows] == [("cli:ops", "key.revoked", "k1")]


async def test_each_action_by_a_person_is_audited_once_and_admins_filter_it(
    api: Api, keys: dict[str, str], shared_settings: SharedSettings, db: asyncpg.Connection
) -> None:
    admin_id = keys["admin"].split("_")[1]
    for mutation in ("acknowledgeAlert", "resolveAlert"):
        body = await gql(
            api.url, f'mutation {{ {mutation}(id: "A1", note: "called") {{ id }} }}', keys["admin"]
        )
        assert "errors" not in body, body
    created = await command(shared_settings, "keys", "create", "--role", "partner", "--org", "NGO")
    assert created.exit_code == 0, created.output
    key_id = created.stdout.splitlines()[0].split("_")[1]
    assert (await command(shared_settings, "keys", "revoke", key_id)).exit_code == 0
    added = await command(shared_settings, "monitors", "add", "--name", "Asel", "--station", "S2")
    assert added.exit_code == 0, added.output
    monitor_id = added.stdout.split()[1]
    assert (await command(shared_settings, "monitors", "revoke", monitor_id)).exit_code == 0
    assert (await command(shared_settings, "monitors", "revoke", monitor_id)).exit_code == 1  # not again

    stored = await db.fetch("SELECT action, subject FROM audit_log ORDER BY id")
    assert [tuple(r) for r in stored] == [
        ("alert.acknowledged", "A1"),
        ("alert.resolved", "A1"),
        ("key.created", key_id),
        ("key.revoked", key_id),
        ("monitor.added", monitor_id),
        ("monitor.revoked", monitor_id),
    ]

    ours = await gql(api.url, AUDIT, keys["admin"], {"actor": f"api:org-admin:{admin_id}"})
    assert ours["data"]["auditLog"]["nodes"] == [
        {
            "actor": f"api:org-admin:{admin_id}",
            "action": "alert.resolved",
            "subject": "A1",
            "details": {"note": "called"},
        },
        {
            "actor": f"api:org-admin:{admin_id}",
            "action": "alert.acknowledged",
            "subject": "A1",
            "details": {"note": "called"},
        },
    ]
    keys_only = await gql(api.url, AUDIT, keys["admin"], {"action": "key.created"})
    [entry] = keys_only["data"]["auditLog"]["nodes"]
    assert entry["details"] == {"role": "partner", "org": "NGO", "incident_texts": False, "regions": None}
    first = await gql(api.url, AUDIT, keys["admin"], {"first": 4})
    rest = await gql(
        api.url,
        AUDIT,
        keys["admin"],
        {"first": 4, "after": first["data"]["auditLog"]["pageInfo"]["endCursor"]},
    )
    pages = first["data"]["auditLog"]["nodes"] + rest["data"]["auditLog"]["nodes"]
    assert [n["action"] for n in pages] == [r["action"] for r in reversed(stored)]
    assert (
        first["data"]["auditLog"]["pageInfo"]["hasNextPage"],
        rest["data"]["auditLog"]["pageInfo"]["hasNextPage"],
    ) == (True, False)


@pytest.mark.parametrize("role", ["partner", "analyst", "coordinator"])
async def test_only_admins_read_the_audit_log(api: Api, keys: dict[str, str], role: str) -> None:
    body = await gql(api.url, AUDIT, keys[role])
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
