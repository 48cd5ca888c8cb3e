"""`pollwatch alerts ...`: who is told of alerts, on duty or not, and what reached them."""

from __future__ import annotations

from typing import Annotated

import typer

from services.common.audit import cli_actor
from services.common.infra.db import run_with_connection
from services.common.notify import subscriptions as subs

alerts_app = typer.Typer(
    help="Alerts to coordinators and partner systems: webhooks and on-duty SMS (docs/notify.md).",
    no_args_is_help=True,
)


@alerts_app.command()
def subscribe(
    name: Annotated[str, typer.Argument(help="who this is: a coordinator's name, a partner system")],
    webhook: Annotated[str | None, typer.Option(help="POST signed JSON to this URL")] = None,
    phone: Annotated[str | None, typer.Option(help="text critical alerts to this phone (E.164)")] = None,
    severity: Annotated[
        str, typer.Option(help="the least severity told: info, warning, critical")
    ] = "warning",
    rule: Annotated[list[str] | None, typer.Option(help="only this rule; repeat for several")] = None,
    region: Annotated[list[str] | None, typer.Option(help="only this region; repeat for several")] = None,
    language: Annotated[str, typer.Option(help="the SMS language: en, ru, kk")] = "en",
) -> None:
    """Subscribe a webhook or an on-duty phone to alerts; a webhook's secret is shown once."""
    new = subs.NewSubscription(name, webhook, phone, severity, rule or (), region or (), language)
    sub_id, secret = run_with_connection(lambda conn: subs.subscribe(conn, new, cli_actor()))
    typer.echo(f"subscription {sub_id}")
    if secret is not None:
        typer.echo(
            f"signing secret (shown once; the receiver verifies X-Pollwatch-Signature with it): {secret}"
        )


@alerts_app.command()
def duty(
    subscription: str,
    on: Annotated[bool, typer.Option("--on/--off", help="on duty (texted) or off")] = True,
) -> None:
    """Put an SMS subscriber on or off duty: only those on duty are texted."""
    run_with_connection(lambda conn: subs.set_on_duty(conn, subscription, on, cli_actor()))
    typer.echo(f"{subscription}: {'on' if on else 'off'} duty")


@alerts_app.command()
def unsubscribe(subscription: str) -> None:
    """Stop a subscription (its delivery log is kept)."""
    run_with_connection(lambda conn: subs.unsubscribe(conn, subscription, cli_actor()))
    typer.echo(f"{subscription}: stopped")


@alerts_app.command("list")
def list_subscriptions() -> None:
    """Active subscriptions."""
    for r in run_with_connection(subs.listed):
        duty_mark = "" if r["channel"] == "webhook" else (" on duty" if r["on_duty"] else " off duty")
        scope = ",".join(r["regions"]) or "all regions"
        rules = ",".join(r["rules"]) or "all rules"
        typer.echo(
            f"{r['id']}  {r['name']}  {r['channel']} {r['target']}  >= {r['min_severity']}"
            f"  {scope}  {rules}{duty_mark}"
        )


@alerts_app.command()
def log(
    state: Annotated[
        str | None, typer.Option(help="only queued, sending, unknown, delivered or dead")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """The delivery log, newest first."""
    for r in run_with_connection(lambda conn: subs.delivery_log(conn, state, limit)):
        status = f" HTTP {r['last_status']}" if r["last_status"] else ""
        error = f" ({r['error']})" if r["error"] and r["state"] != "delivered" else ""
        typer.echo(
            f"{r['created_at']:%H:%M:%S}  {r['alert_id']} v{r['version']} {r['transition']}"
            f" {r['severity']} {r['station_id']} -> {r['name']} ({r['channel']}):"
            f" {r['state']} after {r['attempts']}{status}{error}{' [digest]' if r['digest'] else ''}"
        )


@alerts_app.command()
def redeliver(subscription: str) -> None:
    """Queue a subscription's dead notifications again, once its receiver works."""
    count = run_with_connection(lambda conn: subs.redeliver_dead(conn, subscription, cli_actor()))
    typer.echo(f"{subscription}: {count} notifications queued again")
