"""The `pollwatch` command: one subcommand per service and tool."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from services.api.cli import keys_app
from services.api.export_cli import export
from services.common.infra.errors import PollwatchError
from services.common.infra.settings import SharedSettings, load
from services.ingest.cli import monitors_app

app = typer.Typer(help="pollwatch: real-time backend for election-monitoring networks.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics of the registry.", no_args_is_help=True)
stations_app = typer.Typer(help="The polling-station registry.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(stations_app, name="stations")
app.add_typer(keys_app, name="keys")
app.command("export")(export)
app.add_typer(monitors_app, name="monitors")


@app.command()
def ingest() -> None:
    """Run the ingest service (HTTP and SMS in, Kafka out)."""
    from services.ingest.__main__ import main

    main()


@app.command()
def aggregator(
    rules_profile: Annotated[
        str | None,
        typer.Option(help="alert rules profile, e.g. ru-2011-duma (default: AGGREGATOR_RULES_PROFILE, demo)"),
    ] = None,
) -> None:
    """Run the aggregator (faust worker)."""
    from services.aggregator.__main__ import main

    if rules_profile is not None:
        # The worker reads its settings from the environment, once (services/aggregator/settings.py).
        os.environ["AGGREGATOR_RULES_PROFILE"] = rules_profile
    main()


@app.command()
def messenger() -> None:
    """Run the messenger (broadcasts to monitors by SMS through the gateway)."""
    from services.messenger.__main__ import main

    main()


@app.command("gateway-simulator")
def gateway_simulator() -> None:
    """Run the SMS gateway simulator (the Twilio, Telerivet, RapidPro, Africa's Talking and generic
    APIs; texts nobody) for tests and demos."""
    from services.simulator.gateway.__main__ import main

    main()


@app.command()
def api() -> None:
    """Run the GraphQL API."""
    from services.api.__main__ import main

    main()


def _shared() -> SharedSettings:
    return load(SharedSettings)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from services.common.infra.migrate import apply_migrations

    applied = apply_migrations(_shared().database_url.get_secret_value())
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


@topics_app.command("create")
def topics_create() -> None:
    """Create every topic of the registry that does not exist yet."""
    from services.common.infra.kafka_admin import ensure_topics

    shared = _shared()
    created = asyncio.run(ensure_topics(shared.kafka_bootstrap, shared.topic_namespace))
    typer.echo(f"created {len(created)} topic(s): {', '.join(created) or 'all existed'}")


@topics_app.command("list")
def topics_list() -> None:
    """Print the topic registry."""
    from services.common.contracts.topics import ALL

    for t in ALL:
        policy = "compacted" if t.compacted else "delete"
        typer.echo(f"{t.name}\tkey={t.key}\t{t.message}\tpartitions={t.partitions}\t{policy}")


@stations_app.command("load")
def stations_load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Load a station registry CSV into PostgreSQL (all or nothing)."""
    from services.common.infra.db import run_with_connection
    from services.common.registry.station_store import store_registry
    from services.common.registry.stations import parse_registry

    registry = parse_registry(file.read_text(encoding="utf-8"))
    count = run_with_connection(lambda conn: store_registry(conn, registry))
    typer.echo(f"loaded {count} stations in {len(registry.regions)} regions from {file}")


@stations_app.command("demo")
def stations_demo(out: Annotated[Path | None, typer.Option(help="write here, not to stdout")] = None) -> None:
    """Write the deterministic demo registry (~2,000 stations) as CSV."""
    from services.common.registry.demo_registry import demo_registry
    from services.common.registry.stations import to_csv

    text = to_csv(demo_registry())
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def statement(
    as_of: Annotated[
        datetime, typer.Option("--as-of", help="figures as of this event time (ISO 8601; naive = UTC)")
    ],
    out: Annotated[Path, typer.Option(help="folder for the Markdown draft and its CSV tables")],
    lang: Annotated[str, typer.Option(help="en, ru or kk")] = "en",
) -> None:
    """Write a draft preliminary statement: coverage, opening, violations, turnout, confirmed alerts."""
    from services.api.statement import make_statement
    from services.common.catalog import Lang

    if lang not in {x.value for x in Lang}:
        raise typer.BadParameter(f"{lang!r}: one of en, ru, kk", param_hint="--lang")
    when = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
    url = _shared().database_url.get_secret_value()
    for path in asyncio.run(make_statement(url, when, Lang(lang), out)):
        typer.echo(str(path))


def _register_tools() -> None:
    from services.common.broadcasts_cli import messages_app
    from services.common.monitors.cli import register as register_monitor_tools
    from services.common.notify.cli import alerts_app
    from services.forensics.cli import app as forensics_app
    from services.simulator.cli import simulate
    from services.simulator.replay_cli import replay

    app.command()(simulate)
    app.command()(replay)
    app.add_typer(forensics_app)
    register_monitor_tools(monitors_app)
    app.add_typer(messages_app, name="messages")
    app.add_typer(alerts_app, name="alerts")


_register_tools()


def main() -> None:
    try:
        app()
    except PollwatchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
