"""`pollwatch replay FILE`: a real election's station results through ingest."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings, load
from services.common.registry.station_store import store_registry
from services.forensics.datasets import load as load_dataset
from services.simulator.batch_sender import Sent, batches, send_batches
from services.simulator.elections import UnknownElectionError, election_for, zone_summary
from services.simulator.payloads import report_json
from services.simulator.progress import SendProgress
from services.simulator.provision import Credentials, provision_region_monitors
from services.simulator.read_model import SentProtocol, wait_for_protocols
from services.simulator.replay_model import replay_registry, replay_reports, replay_zones, replayed_stations
from services.simulator.scenario import PlannedReport


def replay(
    file: Annotated[Path, typer.Argument(exists=True, help="a dataset in ../shared/data (see its README)")],
    ingest_url: Annotated[str, typer.Option(help="ingest base URL")] = "http://127.0.0.1:8081",
    limit: Annotated[int | None, typer.Option(help="replay the first N stations only")] = None,
    concurrency: Annotated[int, typer.Option(min=1)] = 4,
    election_key: Annotated[
        str | None,
        typer.Option("--election", help="the election (default: the one FILE is the dataset of)"),
    ] = None,
    wait_s: Annotated[
        float,
        typer.Option(min=0, help="how long to wait for every protocol in the read model (0: do not check)"),
    ] = 900.0,
) -> None:
    """Load the file's stations into the registry, send intraday turnout and final protocols, each
    at its region's local time on the election's date(s), then wait until every protocol is in
    the read model. Exits 1 when a report was refused or a protocol did not arrive as sent."""
    shared = load(SharedSettings)
    try:
        election = election_for(file, election_key)
    except UnknownElectionError as exc:
        raise typer.BadParameter(str(exc)) from None
    dataset = load_dataset(file)
    protocols = replayed_stations(dataset.protocols, limit)
    try:
        zones = replay_zones(protocols, election)
    except UnknownElectionError as exc:
        raise typer.BadParameter(str(exc)) from None
    registry = replay_registry(protocols, election)
    run_id = uuid.uuid4().hex[:8]
    by_region: dict[str, list[str]] = defaultdict(list)
    for station in registry.stations:
        by_region[station.region_id].append(station.id)

    async def prepare() -> dict[str, Credentials]:
        conn = await asyncpg.connect(shared.database_url.get_secret_value())
        try:
            await store_registry(conn, registry)
            return await provision_region_monitors(conn, dict(by_region), run_id)
        finally:
            await conn.close()

    creds = asyncio.run(prepare())
    # The load notified ingest and the aggregator (registry_events); give them a moment to reload
    # ~100,000 stations before the first report for one of them arrives.
    time.sleep(3)
    reports = replay_reports(protocols, registry, election, zones, run_id)
    typer.echo(
        f"replay {run_id}: {protocols.name}, {len(registry.stations)} stations, {len(reports)} reports"
    )
    typer.echo(f"  election: {election.title}; {zone_summary(election, zones.values())}")
    typer.echo(f"  aggregator rules for it: AGGREGATOR_RULES_PROFILE={election.key}")
    for note in dataset.notes:
        typer.echo(f"  note: {note}")

    started = time.monotonic()
    sent = send(reports, creds, ingest_url, concurrency)
    for line in sent.summary():
        typer.echo(line)
    typer.echo(f"sent in {time.monotonic() - started:.1f} s")
    if sent.lost:
        typer.echo(f"replay {run_id}: {sent.lost:,} of {len(reports):,} reports lost", err=True)
        raise typer.Exit(1)
    if wait_s == 0:
        typer.echo("read model: not checked (--wait-s 0)")
        return
    check_read_model(shared.database_url.get_secret_value(), reports, wait_s)


def send(
    reports: list[PlannedReport], creds: dict[str, Credentials], ingest_url: str, concurrency: int
) -> Sent:
    sent = Sent()
    with SendProgress("replay", len(reports)) as progress:
        # One wave per reporting time (an instant: regions in other zones report at other
        # instants), so every station's turnout arrives in order, protocols last.
        for _, wave in itertools.groupby(reports, key=lambda r: r.observed_at):
            payloads = [report_json(r) for r in wave]
            work = batches(lambda sid: creds[sid].token, payloads)
            sent.merge(asyncio.run(send_batches(ingest_url, work, concurrency, progress.advance)))
    return sent


def check_read_model(database_url: str, reports: list[PlannedReport], wait_s: float) -> None:
    """Waits for every protocol sent in the read model; exits 1 when one is missing or differs."""
    sent = [
        SentProtocol(r.report_id, r.station_id, r.body)
        for r in reports
        if isinstance(r.body, ev.FinalProtocol)
    ]
    with SendProgress("read model", len(sent), unit="protocols") as progress:
        checked = asyncio.run(wait_for_protocols(database_url, sent, wait_s, progress.update))
    took = f"{checked.seconds:.0f} s after sending"
    if checked.complete:
        typer.echo(f"read model: all {checked.expected:,} protocols in, as sent ({took})")
        return
    typer.echo(f"read model: {checked.arrived:,} of {checked.expected:,} protocols in ({took})", err=True)
    for line in checked.mismatches:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(1)
