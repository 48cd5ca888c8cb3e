"""`pollwatch keys`: create, revoke and list API keys (the key itself is printed once, never stored)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import typer

from services.api.auth import Role, generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common import audit
from services.common.infra.db import run_with_connection

keys_app = typer.Typer(help="API keys for the GraphQL API.", no_args_is_help=True)


@keys_app.command("create")
def create(
    role: Annotated[Role, typer.Option(help="public, partner, analyst, coordinator or admin")],
    org: Annotated[str, typer.Option(help="the organisation the key is for")],
    incident_texts: Annotated[
        bool, typer.Option(help="let a partner key read incident descriptions")
    ] = False,
    region: Annotated[
        list[str] | None,
        typer.Option(help="limit the key to this region (repeat for several); default: every region"),
    ] = None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    if region and role is Role.ADMIN:
        typer.echo("an admin key acts on the whole network: it cannot be limited to regions", err=True)
        raise typer.Exit(2)
    new = generate_key()

    async def create(conn: asyncpg.Connection) -> list[str]:
        if region and (unknown := await key_sql.unknown_regions(conn, region)):
            return unknown
        async with conn.transaction():
            await key_sql.insert_key(
                conn, new.id, hash_secret(new.secret), role.value, org, incident_texts, region or None
            )
            scope = {"role": role.value, "org": org, "incident_texts": incident_texts, "regions": region}
            await audit.record(conn, audit.cli_actor(), "key.created", new.id, scope)
        return []

    if unknown := run_with_connection(create):
        typer.echo(f"no region {', '.join(unknown)} in the registry: key not created", err=True)
        raise typer.Exit(2)
    typer.echo(new.token)
    scope = f", regions {', '.join(sorted(set(region)))}" if region else ""
    typer.echo(
        f"created key {new.id} ({role.value}, {org}{scope}); store it now: it cannot be shown again",
        err=True,
    )


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key's id (the part after pw_)")]) -> None:
    """Revoke a key; open subscriptions using it end on their next message."""

    async def revoke(conn: asyncpg.Connection) -> bool:
        async with conn.transaction():
            if not await key_sql.revoke_key(conn, key_id):
                return False
            await audit.record(conn, audit.cli_actor(), "key.revoked", key_id)
        return True

    if not run_with_connection(revoke):
        typer.echo(f"no active key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@keys_app.command("set")
def set_setting(
    key_id: Annotated[str, typer.Argument(help="the key's id (the part after pw_)")],
    verified_only: Annotated[
        bool,
        typer.Option(
            "--verified-only/--all-reports",
            help="whether the key reads only reports and alerts a coordinator verified",
        ),
    ],
) -> None:
    """Change a key's setting, at once (within API_KEY_CACHE_SECONDS); recorded in the audit log."""

    async def apply(conn: asyncpg.Connection) -> bool:
        async with conn.transaction():
            previous = await key_sql.set_verified_only(conn, key_id, verified_only)
            if previous is None:
                return False
            change = {"verified_only": {"from": previous, "to": verified_only}}
            await audit.record(conn, audit.cli_actor(), "key.setting_changed", key_id, change)
        return True

    if not run_with_connection(apply):
        typer.echo(f"no active key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{key_id}: {'verified only' if verified_only else 'all reports'}")


@keys_app.command("list")
def list_keys() -> None:
    """List keys (ids, roles, orgs; never secrets)."""
    for row in run_with_connection(key_sql.list_keys):
        state = "revoked" if row["revoked_at"] is not None else "active"
        texts = " incident-texts" if row["incident_texts"] else ""
        texts += " verified-only" if row["verified_only"] else ""
        regions = "all regions" if row["regions"] is None else "regions " + ",".join(row["regions"])
        typer.echo(
            f"{row['id']}\t{row['role']}\t{row['org']}\t{state}{texts}\t{regions}\t{row['created_at']:%Y-%m-%d}"
        )
