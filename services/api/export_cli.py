"""`pollwatch export DATASET`: the HTTP download's file (CSV, XLSX or Parquet) from the command
line, streamed to a file or stdout. The command line has the database's credentials, so it
exports every column (as an admin key would); share a partner's export through a partner key
and /export instead."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from services.api.auth import Principal, Role
from services.api.export import DATASETS, ExportFilter
from services.api.export_formats import FORMATS
from services.common.infra.db import run_with_connection

EVERYTHING = Principal(key_id="", role=Role.ADMIN, org="cli")


def export(
    dataset: Annotated[str, typer.Argument(help=f"one of {', '.join(DATASETS)}")],
    region: Annotated[str | None, typer.Option(help="only this region")] = None,
    since: Annotated[datetime | None, typer.Option(help="from this time on (inclusive)")] = None,
    until: Annotated[datetime | None, typer.Option(help="before this time")] = None,
    verified_only: Annotated[
        bool, typer.Option(help="only reports and alerts a coordinator verified")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="write here, not to stdout")] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx or parquet (default: --out's suffix, else csv)")
    ] = None,
) -> None:
    """Export a dataset as CSV, XLSX or Parquet, a chunk at a time (any size, flat memory)."""
    chosen = DATASETS.get(dataset)
    if chosen is None:
        typer.echo(f"no dataset {dataset!r}; one of {', '.join(DATASETS)}", err=True)
        raise typer.Exit(2)
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            typer.echo(f"--{name}: give an offset, e.g. 2026-03-15T08:00:00+05:00", err=True)
            raise typer.Exit(2)
    wanted = ExportFilter(region, since, until, verified_only)
    name = format or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "csv")
    form = FORMATS.get(name)
    if form is None:
        typer.echo(f"no format {name!r}; one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)

    async def write(conn: asyncpg.Connection) -> None:
        sink = sys.stdout.buffer if out is None else out.open("wb")
        try:
            async for chunk in form.chunks(conn, chosen, EVERYTHING, wanted):
                await asyncio.to_thread(sink.write, chunk)
        finally:
            sink.flush()
            if out is not None:
                sink.close()

    run_with_connection(write)
