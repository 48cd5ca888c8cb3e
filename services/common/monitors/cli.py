"""`pollwatch monitors import|demo|credentials|swap-phone|move`: onboarding and changes on the day.

Added to the `pollwatch monitors` group beside ingest's add / revoke / list.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from services.common.audit import cli_actor
from services.common.infra.db import run_with_connection
from services.common.infra.settings import SharedSettings, load
from services.common.monitors.changes import MonitorChangeError, move_stations, swap_phone
from services.common.monitors.onboarding import ImportReport, import_roster
from services.common.monitors.roster import RosterFileError
from services.common.monitors.roster_plan import Action


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"{file}: no such file", param_hint="FILE")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise typer.BadParameter(f"{file}: not UTF-8 text (save the sheet as CSV UTF-8)") from None


def print_report(name: str, report: ImportReport) -> None:
    plan, roster = report.plan, report.roster
    verb = ("to add", "to update") if report.dry_run else ("added", "updated")
    typer.echo(
        f"{name}: {roster.total} rows: {plan.added} {verb[0]}, {plan.updated} {verb[1]}, "
        f"{plan.unchanged} unchanged, {len(roster.refusals)} refused"
        + (" (dry run: nothing written)" if report.dry_run else "")
    )
    if roster.refusals:
        typer.echo("refused:")
        for r in roster.refusals:
            typer.echo(f"  line {r.line}, {r.field} ({r.code}): {r.message}")
    if plan.changes and report.dry_run:
        typer.echo("would change:")
        for c in plan.changes:
            what = (
                f"add {c.row.name} ({', '.join(c.row.stations)})"
                if c.action is Action.ADD
                else f"update {c.monitor_id}: {', '.join(c.fields)}"
            )
            typer.echo(f"  line {c.row.line}: {what}")


def import_(
    file: Annotated[str, typer.Argument(help="the roster CSV, or - for standard input")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would change, write nothing")] = False,
) -> None:
    """Add and update monitors from a roster CSV (name, phone, stations, language, region,
    coordinator). Importing the same file again changes nothing; bad rows are refused with
    their reason and the rest are taken (exit code 1 when any row was refused)."""
    text = _read(file)
    try:
        report = run_with_connection(lambda conn: import_roster(conn, text, cli_actor(), dry_run))
    except RosterFileError as exc:
        typer.echo(f"error: {file}: {exc}; nothing imported", err=True)
        raise typer.Exit(2) from None
    print_report(file, report)
    if report.roster.refusals:
        raise typer.Exit(1)


def demo(out: Annotated[Path | None, typer.Option(help="write here, not to stdout")] = None) -> None:
    """Write the deterministic demo roster (2,000 monitors of the demo registry) as CSV."""
    from services.common.registry.demo_monitors import demo_monitors, to_csv

    text = to_csv(demo_monitors())
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def credentials(
    out: Annotated[
        Path | None, typer.Option(help="directory for the sheets (one HTML file per region)")
    ] = None,
    sms: Annotated[bool, typer.Option("--sms", help="send each their login link by SMS instead")] = False,
    region: Annotated[list[str] | None, typer.Option(help="a region id; repeat for several")] = None,
    monitor: Annotated[list[str] | None, typer.Option(help="a monitor id; repeat for several")] = None,
    reissue: Annotated[
        bool, typer.Option("--reissue", help="new tokens for monitors that have one (revokes theirs)")
    ] = False,
    lang: Annotated[str, typer.Option(help="language of the sheets' headers: en, ru or kk")] = "en",
) -> None:
    """Issue tokens and write printable credential sheets: a card per monitor, in their language,
    with a QR code of their login link (--out), or send each their link by SMS (--sms; the
    messenger issues the tokens as it sends). Without --reissue only monitors never given a
    token are included. The sheets hold the tokens: print them, then delete the files."""
    from services.common.monitors.credentials import issue_cards
    from services.common.monitors.sheet import render_sheet

    if (out is None) == (not sms):
        raise typer.BadParameter("give either --out (printed cards) or --sms (links by SMS)")
    if sms:
        _credentials_by_sms(region or [], monitor or [], reissue)
        return
    assert out is not None

    url = str(load(SharedSettings).ingest_public_url)
    sheets = run_with_connection(
        lambda conn: issue_cards(conn, url, cli_actor(), region or (), monitor or (), reissue)
    )
    if not sheets:
        typer.echo("no monitor selected needs a card (use --reissue to replace existing tokens)")
        return
    out.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date()
    for region_id, cards in sorted(sheets.items()):
        path = out / f"credentials-{region_id}.html"
        path.write_text(render_sheet(cards[0].region, cards, today, lang), encoding="utf-8")
        path.chmod(0o600)
        typer.echo(f"{path}: {len(cards)} card(s)")
    typer.echo("these files hold login tokens: print them, then delete them")


def _credentials_by_sms(regions: list[str], monitors: list[str], reissue: bool) -> None:
    from services.common.broadcasts import new_broadcast_id
    from services.common.broadcasts_cli import request_broadcast
    from services.common.contracts import events as ev

    audience = ev.Audience(
        everyone=not regions and not monitors,
        region_ids=tuple(regions),
        monitor_ids=tuple(monitors),
        without_token=not reissue,
    )
    request_broadcast(
        ev.Broadcast(
            new_broadcast_id(), ev.BroadcastKind.CREDENTIALS, audience, "", {}, cli_actor(), datetime.now(UTC)
        )
    )


def _change(action: str, apply: Callable[[asyncpg.Connection], Awaitable[object]]) -> None:
    try:
        run_with_connection(apply)
    except MonitorChangeError as exc:
        typer.echo(f"error: {exc} ({exc.field})", err=True)
        raise typer.Exit(2) from None
    typer.echo(action)


def swap_phone_(
    monitor_id: Annotated[str, typer.Argument(help="the monitor's id (pollwatch monitors list)")],
    phone: Annotated[str, typer.Argument(help="the new phone, international, e.g. +77011234567")],
) -> None:
    """Give a monitor a new phone: SMS from the old one is refused at once (recorded in the audit log)."""
    _change(
        f"{monitor_id}: phone swapped",
        lambda conn: swap_phone(conn, monitor_id, phone, cli_actor()),
    )


def move(
    monitor_id: Annotated[str, typer.Argument(help="the monitor's id (pollwatch monitors list)")],
    station: Annotated[list[str], typer.Option(help="a station id; repeat for several")],
) -> None:
    """Assign a monitor to other stations, effective at once (recorded in the audit log)."""
    _change(
        f"{monitor_id}: now at {', '.join(sorted(set(station)))}",
        lambda conn: move_stations(conn, monitor_id, station, cli_actor()),
    )


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("demo")(demo)
    app.command("credentials")(credentials)
    app.command("swap-phone")(swap_phone_)
    app.command("move")(move)
