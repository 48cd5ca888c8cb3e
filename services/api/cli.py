"""`pollwatch keys`: create, revoke and list API keys (the key itself is printed once, never stored)."""

from __future__ import annotations

from typing import Annotated

import typer

from services.api.auth import Role, generate_key, hash_secret
from services.api.repository import keys as key_sql
from services.common.db import run_with_connection

keys_app = typer.Typer(help="API keys for the GraphQL API.", no_args_is_help=True)


@keys_app.command("create")
def create(
    role: Annotated[Role, typer.Option(help="public, partner, analyst or admin")],
    org: Annotated[str, typer.Option(help="the organisation the key is for")],
    incident_texts: Annotated[
        bool, typer.Option(help="let a partner key read incident descriptions")
    ] = False,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    new = generate_key()
    run_with_connection(
        lambda conn: key_sql.insert_key(
            conn, new.id, hash_secret(new.secret), role.value, org, incident_texts
        )
    )
    typer.echo(new.token)
    typer.echo(
        f"created key {new.id} ({role.value}, {org}); store it now: it cannot be shown again", err=True
    )


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key's id (the part after pw_)")]) -> None:
    """Revoke a key; open subscriptions using it end on their next message."""
    if not run_with_connection(lambda conn: key_sql.revoke_key(conn, key_id)):
        typer.echo(f"no active key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def list_keys() -> None:
    """List keys (ids, roles, orgs; never secrets)."""
    for row in run_with_connection(key_sql.list_keys):
        state = "revoked" if row["revoked_at"] is not None else "active"
        texts = " incident-texts" if row["incident_texts"] else ""
        typer.echo(f"{row['id']}\t{row['role']}\t{row['org']}\t{state}{texts}\t{row['created_at']:%Y-%m-%d}")
