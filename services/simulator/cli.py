"""`pollwatch simulate`: a whole election day through the real ingest API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated

import asyncpg
import orjson
import typer

from services.common.settings import SharedSettings, load
from services.common.stations import Station
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.model import DayOptions, plan_day
from services.simulator.progress import SendProgress
from services.simulator.provision import Credentials, provision_monitors
from services.simulator.sender import Sender
from services.simulator.truth import truth_json

ALMATY = timezone(timedelta(hours=5))


def default_opening() -> datetime:
    """07:00 two days ago in Almaty: the whole day lies in the past, so ingest never sees the future."""
    day = (datetime.now(ALMATY) - timedelta(days=2)).date()
    return datetime(day.year, day.month, day.day, 7, tzinfo=ALMATY)


async def load_stations(conn: asyncpg.Connection, limit: int | None) -> list[Station]:
    rows = await conn.fetch(
        "SELECT id, region_id, name, registered_voters FROM stations ORDER BY id LIMIT $1", limit
    )
    return [Station(r["id"], r["region_id"], r["name"], r["registered_voters"]) for r in rows]


def simulate(
    ingest_url: Annotated[str, typer.Option(help="ingest base URL")] = "http://127.0.0.1:8081",
    stations: Annotated[int | None, typer.Option(help="simulate the first N stations only")] = None,
    seed: Annotated[int, typer.Option()] = 2012,
    irregular_share: Annotated[float, typer.Option(min=0, max=1)] = 0.1,
    day_minutes: Annotated[float, typer.Option(help="wall-clock minutes for the whole day")] = 10.0,
    interval: Annotated[int, typer.Option(help="minutes between turnout reports")] = 60,
    sms_share: Annotated[float, typer.Option(min=0, max=1)] = 0.1,
    resend_share: Annotated[float, typer.Option(min=0, max=1)] = 0.05,
    late_share: Annotated[float, typer.Option(min=0, max=1)] = 0.05,
    truth: Annotated[Path, typer.Option(help="where to write the ground truth")] = Path(
        "simulation-truth.json"
    ),
) -> None:
    """Simulate an election day for the registry's stations, through ingest, with injected irregularities."""
    shared = load(SharedSettings)
    run_id = uuid.uuid4().hex[:8]

    async def prepare() -> tuple[list[Station], dict[str, Credentials]]:
        conn = await asyncpg.connect(shared.database_url.get_secret_value())
        try:
            chosen = await load_stations(conn, stations)
            creds = await provision_monitors(conn, [s.id for s in chosen], run_id)
        finally:
            await conn.close()
        return chosen, creds

    chosen, creds = asyncio.run(prepare())
    if not chosen:
        raise typer.BadParameter("the station registry is empty: run `pollwatch stations load` first")
    day = plan_day(chosen, DayOptions(default_opening(), run_id, seed, irregular_share, interval, sms_share))
    span = (day.closing + timedelta(hours=3) - day.reports[0].observed_at).total_seconds()
    deliveries = schedule(
        day, DeliveryOptions(span / (day_minutes * 60), resend_share, late_share, seed=seed)
    )
    truth.write_bytes(orjson.dumps(truth_json(day, run_id), option=orjson.OPT_INDENT_2))
    typer.echo(f"run {run_id}: {len(chosen)} stations, {len(deliveries)} deliveries, truth in {truth}")

    with SendProgress("election day", len(deliveries)) as progress:
        sender = Sender(ingest_url, creds, on_done=progress.advance)
        asyncio.run(sender.run(deliveries))
    for line in sender.sent.summary():
        typer.echo(line)
    if sender.sent.lost:
        typer.echo(f"run {run_id}: {sender.sent.lost:,} of {len(deliveries):,} deliveries lost", err=True)
        raise typer.Exit(1)
