"""A broadcast to the 2,000 monitors of the demo roster through the gateway simulator (Twilio's
API: it does not deduplicate), the messenger SIGKILLed mid-broadcast and restarted: nobody gets
the message twice and every delivery ends with the status the gateway reported."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.monitors.onboarding import import_roster
from services.common.registry.demo_monitors import demo_monitors, to_csv
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry
from tests.integration.messenger.conftest import request
from tests.support.processes import Service, free_port, run_service, service_env

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "e2e-auth-token"
FAIL_SUFFIX = "07"  # the gateway reports these undelivered
LEASE_SECONDS = 21


def texted(gateway: Service) -> list[dict[str, object]]:
    return list(httpx.get(f"{gateway.url}/simulator/texted", timeout=30).json()["texted"])


async def wait_for(db: asyncpg.Connection, sql: str, least: int, within: float, *args: object) -> None:
    """Polls the count `sql` gives until it reaches `least`."""
    deadline = time.monotonic() + within
    while (value := await db.fetchval(sql, *args) or 0) < least:
        assert time.monotonic() < deadline, f"{sql}: {value}, waited for {least}"
        await asyncio.sleep(0.3)


@pytest.mark.e2e
async def test_sigkill_mid_broadcast_sends_nobody_anything_twice(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, demo_registry())
    await import_roster(db, to_csv(demo_monitors()), "test", dry_run=False)
    phones = {r["id"]: r["phone"] for r in await db.fetch("SELECT id, phone FROM monitors")}
    assert len(phones) == 2000
    gateway_port, messenger_port = free_port(), free_port()
    gateway_env = service_env(
        shared_settings,
        GATEWAY_SIM_PORT=str(gateway_port),
        GATEWAY_SIM_TWILIO_ACCOUNT_SID=SID,
        GATEWAY_SIM_TWILIO_AUTH_TOKEN=TOKEN,
        GATEWAY_SIM_FAIL_SUFFIX=FAIL_SUFFIX,
        GATEWAY_SIM_RATE_LIMIT="150",  # below the messenger's rate: some 429s on the way
    )
    messenger_env = service_env(
        shared_settings,
        MESSENGER_PORT=str(messenger_port),
        MESSENGER_PUBLIC_URL=f"http://127.0.0.1:{messenger_port}",
        MESSENGER_GATEWAY="twilio",
        MESSENGER_GATEWAY_URL=f"http://127.0.0.1:{gateway_port}",
        MESSENGER_TWILIO_ACCOUNT_SID=SID,
        MESSENGER_TWILIO_AUTH_TOKEN=TOKEN,
        MESSENGER_TWILIO_SENDER="+15005550006",
        MESSENGER_RATE_PER_SECOND="200",
        MESSENGER_BURST="50",
        MESSENGER_CONCURRENCY="8",
        MESSENGER_BACKOFF_BASE_SECONDS="0.2",
        MESSENGER_BACKOFF_MAX_SECONDS="2",
        MESSENGER_SEND_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    with run_service("gateway-simulator", gateway_env, gateway_port, tmp_path) as gateway:
        assert gateway.wait_ready().status_code == 200, gateway.log_tail()
        with run_service("messenger", messenger_env, messenger_port, tmp_path) as first:
            assert first.wait_ready().status_code == 200, first.log_tail()
            broadcast = await request(
                shared_settings, ev.Audience(everyone=True), "Report your turnout at 11:00"
            )
            await wait_for(db, "SELECT recipients FROM broadcasts WHERE id = $1", 2000, 60, broadcast)
            # Mid-broadcast: some hundreds sent, most not yet.
            await wait_for(
                db,
                "SELECT count(*) FROM message_deliveries WHERE broadcast_id = $1 AND state <> 'queued'",
                400,
                120,
                broadcast,
            )
            first.stop(kill=True)
        killed_at = await db.fetchval(
            "SELECT count(*) FROM message_deliveries WHERE broadcast_id = $1 AND state = 'queued'", broadcast
        )
        assert killed_at > 500, "the broadcast was nearly over before the kill"
        (tmp_path / "restarted").mkdir()
        with run_service("messenger", messenger_env, messenger_port, tmp_path / "restarted") as second:
            assert second.wait_ready().status_code == 200, second.log_tail()
            # Settled: nothing queued or in flight, and every sent one has its final callback.
            await wait_for(
                db,
                """SELECT count(*) FROM message_deliveries
                   WHERE broadcast_id = $1 AND state IN ('delivered', 'failed', 'unknown')""",
                2000,
                LEASE_SECONDS + 120,
                broadcast,
            )
            sms = texted(gateway)
    deliveries = {
        r["monitor_id"]: r
        for r in await db.fetch("SELECT * FROM message_deliveries WHERE broadcast_id = $1", broadcast)
    }
    per_phone = Counter(str(t["to"]) for t in sms)
    assert max(per_phone.values()) == 1, [p for p, n in per_phone.items() if n > 1][:5]
    got = set(per_phone)
    for monitor_id, row in deliveries.items():
        phone = phones[monitor_id]
        if phone not in got:  # in flight at the kill and never reached the gateway: not resent
            assert row["state"] == "unknown", (monitor_id, row["state"])
        elif phone.endswith(FAIL_SUFFIX):
            assert row["state"] == "failed"
            assert row["error"] == "twilio undelivered (error 30003)"
        else:
            assert row["state"] == "delivered", (monitor_id, row["state"], row["error"])
    assert len(got) >= 2000 - 8  # at most one per worker was in flight
    assert {str(t["reference"]) for t in sms} == {f"{broadcast}.{m}" for m, p in phones.items() if p in got}
