"""`pollwatch messages send|status`: messages to monitors from the command line."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
import typer
from aiokafka import AIOKafkaProducer

from services.common.audit import cli_actor
from services.common.broadcasts import BroadcastError, new_broadcast_id, publish
from services.common.contracts import events as ev
from services.common.infra.db import run_with_connection
from services.common.infra.settings import SharedSettings, load

messages_app = typer.Typer(
    help="Messages to monitors by SMS (sent by `pollwatch messenger`).", no_args_is_help=True
)


def request_broadcast(broadcast: ev.Broadcast) -> None:
    """Writes the broadcast to Kafka (the messenger sends it); exits 2 when it is refused."""
    shared = load(SharedSettings)

    async def send() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=shared.kafka_bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            await publish(producer, shared, broadcast)
        finally:
            await producer.stop()

    try:
        asyncio.run(send())
    except BroadcastError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"broadcast {broadcast.id} requested: pollwatch messages status {broadcast.id}")


def send(
    text: Annotated[
        str, typer.Option(help="the text (sent when there is none in the monitor's language)")
    ] = "",
    kk: Annotated[str, typer.Option(help="the text in Kazakh")] = "",
    ru: Annotated[str, typer.Option(help="the text in Russian")] = "",
    en: Annotated[str, typer.Option(help="the text in English")] = "",
    everyone: Annotated[bool, typer.Option("--everyone", help="every active monitor")] = False,
    region: Annotated[list[str] | None, typer.Option(help="a region id; repeat for several")] = None,
    station: Annotated[list[str] | None, typer.Option(help="a station id; repeat for several")] = None,
    monitor: Annotated[list[str] | None, typer.Option(help="a monitor id; repeat for several")] = None,
    open_alerts: Annotated[
        bool, typer.Option("--open-alerts", help="monitors of stations with an open alert")
    ] = False,
    silent: Annotated[bool, typer.Option("--silent", help="monitors of silent stations")] = False,
    check_in: Annotated[
        bool,
        typer.Option("--check-in", help="ask them to reply OK at their station (a built-in text if none)"),
    ] = False,
    id: Annotated[
        str | None, typer.Option(help="the broadcast's id (a resend with it sends nothing twice)")
    ] = None,
) -> None:
    """Send a message to monitors, in each one's language where translated."""
    translations = {lang: value for lang, value in (("kk", kk), ("ru", ru), ("en", en)) if value}
    request_broadcast(
        ev.Broadcast(
            id=id or new_broadcast_id(),
            kind=ev.BroadcastKind.CHECKIN if check_in else ev.BroadcastKind.MESSAGE,
            audience=ev.Audience(
                everyone=everyone,
                region_ids=tuple(region or ()),
                station_ids=tuple(station or ()),
                monitor_ids=tuple(monitor or ()),
                open_alert_stations=open_alerts,
                silent_stations=silent,
            ),
            text=text,
            translations=translations,
            requested_by=cli_actor(),
            requested_at=datetime.now(UTC),
        )
    )


async def _status(
    conn: asyncpg.Connection, broadcast_id: str
) -> tuple[asyncpg.Record | None, dict[str, int]]:
    head = await conn.fetchrow(
        "SELECT kind, recipients, requested_at FROM broadcasts WHERE id = $1", broadcast_id
    )
    rows = await conn.fetch(
        "SELECT state, count(*) AS n FROM message_deliveries WHERE broadcast_id = $1 GROUP BY state",
        broadcast_id,
    )
    return head, {r["state"]: r["n"] for r in rows}


def status(
    broadcast_id: str,
    wait: Annotated[
        float, typer.Option(help="wait up to this many seconds for every delivery to settle")
    ] = 0,
) -> None:
    """How a broadcast's deliveries stand: queued, sending, sent, delivered, failed, unknown."""
    deadline = time.monotonic() + wait
    while True:
        head, counts = run_with_connection(lambda conn: _status(conn, broadcast_id))
        settled = head is not None and not any(
            counts.get(s) for s in ("queued", "sending", "sent", "unknown")
        )
        if settled or time.monotonic() >= deadline:
            break
        time.sleep(1)
    if head is None:
        typer.echo(f"broadcast {broadcast_id}: not recorded (yet): is `pollwatch messenger` running?")
        raise typer.Exit(1)
    states = ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("queued", "sending", "sent", "delivered", "failed", "unknown")
    )
    typer.echo(f"broadcast {broadcast_id} ({head['kind']}): {head['recipients']} recipients: {states}")


messages_app.command("send")(send)
messages_app.command("status")(status)
