"""`pollwatch simulate`: a whole election day through the real ingest API."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import asyncpg
import orjson
import typer

from services.common.infra.settings import SharedSettings, load
from services.common.registry.stations import Station
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.local_day import local_openings, opening_in_the_past, opening_today
from services.simulator.model import DayOptions, plan_day
from services.simulator.progress import SendProgress
from services.simulator.provision import Credentials, provision_monitors
from services.simulator.sender import Sender
from services.simulator.truth import truth_json


async def load_stations(conn: asyncpg.Connection, limit: int | None) -> list[Station]:
    rows = await conn.fetch(
        "SELECT id, region_id, name, registered_voters FROM stations ORDER BY id LIMIT $1", limit
    )
    return [Station(r["id"], r["region_id"], r["name"], r["registered_voters"]) for r in rows]


async def load_zones(conn: asyncpg.Connection) -> dict[str, str | None]:
    """Each region's IANA zone from the registry (None: the election's)."""
    return {r["id"]: r["timezone"] for r in await conn.fetch("SELECT id, timezone FROM regions")}


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
    today: Annotated[
        bool,
        typer.Option(
            help="today's election day in real time, polls 07:00-20:00 on each region's clock "
            "(what is already due goes at once); without it, a day two days ago in --day-minutes"
        ),
    ] = False,
    election_zone: Annotated[
        str, typer.Option("--timezone", help="the election's IANA zone: its date, and regions without one")
    ] = "Asia/Almaty",
) -> None:
    """Simulate an election day for the registry's stations, through ingest, with injected irregularities."""
    shared = load(SharedSettings)
    run_id = uuid.uuid4().hex[:8]

    async def prepare() -> tuple[list[Station], dict[str, str | None], dict[str, Credentials]]:
        conn = await asyncpg.connect(shared.database_url.get_secret_value())
        try:
            chosen = await load_stations(conn, stations)
            zones = await load_zones(conn)
            creds = await provision_monitors(conn, [s.id for s in chosen], run_id)
        finally:
            await conn.close()
        return chosen, zones, creds

    chosen, zones, creds = asyncio.run(prepare())
    if not chosen:
        raise typer.BadParameter("the station registry is empty: run `pollwatch stations load` first")
    now = datetime.now(UTC)
    opening = opening_today(now, election_zone) if today else opening_in_the_past(now, election_zone)
    options = DayOptions(opening, run_id, seed, irregular_share, interval, sms_share)
    day = plan_day(chosen, replace(options, local_openings=local_openings(opening, zones)))
    if today:
        delivery = DeliveryOptions(resend_share=resend_share, late_share=late_share, seed=seed, start=now)
        typer.echo(f"run {run_id}: polls open {opening:%Y-%m-%d %H:%M} on each region's clock")
    else:
        span = (day.closing + timedelta(hours=3) - day.reports[0].observed_at).total_seconds()
        delivery = DeliveryOptions(span / (day_minutes * 60), resend_share, late_share, seed=seed)
    deliveries = schedule(day, delivery)
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
