"""The `pollwatch` command: one subcommand per service and tool."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

from services.api.cli import keys_app
from services.common.errors import PollwatchError
from services.common.settings import SharedSettings, load
from services.ingest.cli import monitors_app

app = typer.Typer(help="pollwatch: real-time backend for election-monitoring networks.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics of the registry.", no_args_is_help=True)
stations_app = typer.Typer(help="The polling-station registry.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(stations_app, name="stations")
app.add_typer(keys_app, name="keys")
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
def api() -> None:
    """Run the GraphQL API."""
    from services.api.__main__ import main

    main()


def _shared() -> SharedSettings:
    return load(SharedSettings)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from services.common.migrate import apply_migrations

    applied = apply_migrations(_shared().database_url.get_secret_value())
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


@topics_app.command("create")
def topics_create() -> None:
    """Create every topic of the registry that does not exist yet."""
    from services.common.kafka_admin import ensure_topics

    shared = _shared()
    created = asyncio.run(ensure_topics(shared.kafka_bootstrap, shared.topic_namespace))
    typer.echo(f"created {len(created)} topic(s): {', '.join(created) or 'all existed'}")


@topics_app.command("list")
def topics_list() -> None:
    """Print the topic registry."""
    from services.common.topics import ALL

    for t in ALL:
        policy = "compacted" if t.compacted else "delete"
        typer.echo(f"{t.name}\tkey={t.key}\t{t.message}\tpartitions={t.partitions}\t{policy}")


@stations_app.command("load")
def stations_load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Load a station registry CSV into PostgreSQL (all or nothing)."""
    from services.common.db import run_with_connection
    from services.common.station_store import store_registry
    from services.common.stations import parse_registry

    registry = parse_registry(file.read_text(encoding="utf-8"))
    count = run_with_connection(lambda conn: store_registry(conn, registry))
    typer.echo(f"loaded {count} stations in {len(registry.regions)} regions from {file}")


@stations_app.command("demo")
def stations_demo(out: Annotated[Path | None, typer.Option(help="write here, not to stdout")] = None) -> None:
    """Write the deterministic demo registry (~2,000 stations) as CSV."""
    from services.common.demo_registry import demo_registry
    from services.common.stations import to_csv

    text = to_csv(demo_registry())
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _register_tools() -> None:
    from services.common.forensics.cli import app as forensics_app
    from services.simulator.cli import simulate
    from services.simulator.replay_cli import replay

    app.command()(simulate)
    app.command()(replay)
    app.add_typer(forensics_app)


_register_tools()


def main() -> None:
    try:
        app()
    except PollwatchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
