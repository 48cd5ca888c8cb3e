"""The messenger SIGKILLed while it posts alert notifications, and started again: every alert
transition reaches the receiver, taken once; the only requests repeated are those in flight at
the kill (the receiver recognises them by their X-Pollwatch-Delivery id), and transitions read
again queue nothing twice."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest

from services.common.infra.settings import SharedSettings
from services.common.notify import subscriptions as subs
from tests.integration.messenger.receiver import Receiver
from tests.integration.messenger.test_notify import publish
from tests.support.alerts import alert
from tests.support.asgi_server import serving
from tests.support.processes import Service, free_port, run_service, service_env

ALERTS = 40


async def ready(service: Service) -> None:
    # In a thread: the receiver answers on this event loop meanwhile.
    answer = await asyncio.to_thread(service.wait_ready)
    assert answer.status_code == 200, service.log_tail()


async def test_sigkill_mid_way_resumes_without_a_duplicate(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    receiver_port, port = free_port(), free_port()
    hook_id, secret = await subs.subscribe(
        db, subs.NewSubscription("partner", webhook=f"http://127.0.0.1:{receiver_port}/hook"), "test"
    )
    assert secret is not None
    receiver = Receiver(secret=secret, delay_seconds=0.2)
    env = service_env(
        shared_settings,
        MESSENGER_PORT=str(port),
        MESSENGER_PUBLIC_URL=f"http://127.0.0.1:{port}",
        MESSENGER_REQUEST_TIMEOUT_SECONDS="2",
        MESSENGER_SEND_LEASE_SECONDS="5",
        MESSENGER_POLL_SECONDS="0.2",
        MESSENGER_NOTIFY_BACKOFF_BASE_SECONDS="0.2",
        MESSENGER_NOTIFY_BACKOFF_MAX_SECONDS="1",
    )
    expected = {f"A{n:03d}:1:{hook_id}" for n in range(ALERTS)}
    async with serving(receiver.app(), receiver_port):
        with run_service("messenger", env, port, tmp_path) as first:
            await ready(first)
            await publish(shared_settings, *(alert(f"A{n:03d}") for n in range(ALERTS)))
            deadline = time.monotonic() + 60
            while len(receiver.taken) < 10:
                assert time.monotonic() < deadline, first.log_tail()
                await asyncio.sleep(0.05)
            first.stop(kill=True)
        in_flight = {
            f"{r['alert_id']}:{r['version']}:{r['subscription_id']}"
            for r in await db.fetch("SELECT * FROM alert_notifications WHERE state = 'sending'")
        }
        assert len(receiver.taken) < ALERTS, "killed too late to show anything"
        # The worst case: the dead process had committed no offset, so every transition is read
        # again (a consumer group of its own), and must queue nothing twice.
        again = env | {"MESSENGER_NOTIFY_CONSUMER_GROUP": "pollwatch-notifier-again"}
        with run_service("messenger", again, port, tmp_path) as second:
            await ready(second)
            deadline = time.monotonic() + 90
            while len(receiver.taken) < ALERTS or await db.fetchval(
                "SELECT count(*) FROM alert_notifications WHERE state <> 'delivered'"
            ):
                assert time.monotonic() < deadline, second.log_tail()
                await asyncio.sleep(0.2)
    assert set(receiver.taken) == expected
    assert receiver.forged == 0
    assert await db.fetchval("SELECT count(*) FROM alert_notifications") == ALERTS
    repeated = {delivery for delivery, n in receiver.requests.items() if n > 1}
    assert repeated <= in_flight
    assert sum(receiver.requests.values()) == ALERTS + len(repeated)
    assert max(receiver.requests.values()) <= 2


pytestmark = pytest.mark.usefixtures("kafka_topics")
