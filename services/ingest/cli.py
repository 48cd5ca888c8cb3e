"""`pollwatch monitors add|revoke|list`: issuing and revoking monitors' tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from services.common.catalog import Lang
from services.common.infra.db import run_with_connection
from services.common.monitors.phones import mask as mask_phone
from services.ingest.monitors import add_monitor, list_monitors, revoke_monitor

monitors_app = typer.Typer(
    help="Monitors: bearer tokens, phones and station assignments.", no_args_is_help=True
)


@monitors_app.command("add")
def add(
    name: Annotated[str, typer.Option(help="display name (seen by coordinators only)")],
    station: Annotated[list[str], typer.Option(help="a station id; repeat for several")],
    phone: Annotated[str | None, typer.Option(help="E.164 phone for SMS, e.g. +77011234567")] = None,
    lang: Annotated[
        Lang | None,
        typer.Option(help="language of SMS replies (default: the language of each text)"),
    ] = None,
) -> None:
    """Add a monitor and print its token once (it is stored only as a hash)."""
    chosen = None if lang is None else lang.value
    monitor, token = run_with_connection(lambda conn: add_monitor(conn, name, phone, station, chosen))
    typer.echo(f"monitor {monitor.id} for {', '.join(sorted(monitor.stations))}")
    typer.echo(f"token (shown once, give it to the monitor): {token}")


@monitors_app.command("revoke")
def revoke(monitor_id: str) -> None:
    """Revoke a monitor's token and phone: their reports are refused from now on."""
    if not run_with_connection(lambda conn: revoke_monitor(conn, monitor_id)):
        typer.echo(f"no active monitor {monitor_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {monitor_id}")


@monitors_app.command("list")
def list_() -> None:
    """List monitors (phones masked, tokens never shown)."""
    for m in run_with_connection(list_monitors):
        state = "revoked" if m.revoked else "active"
        typer.echo(
            f"{m.id}\t{state}\t{mask_phone(m.phone)}\t{m.lang or '-'}\t{','.join(sorted(m.stations))}"
            f"\t{m.display_name}"
        )
