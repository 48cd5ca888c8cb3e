"""Alerts to the people on duty, on the real Kafka and PostgreSQL with a real HTTP receiver:
signed, retried while the receiver is down or failing, taken once, dead after N attempts, and
critical ones texted to on-duty phones through the gateway (simulator)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.notify import subscriptions as subs
from tests.integration.messenger.conftest import StackFactory
from tests.integration.messenger.receiver import Receiver
from tests.support.alerts import alert
from tests.support.asgi_server import serving
from tests.support.processes import free_port

pytestmark = pytest.mark.usefixtures("monitors")
ON_DUTY = "+442079460099"
NOTIFY = {"notify_backoff_base_seconds": 0.2, "notify_backoff_max_seconds": 1}


async def publish(shared: SharedSettings, *alerts: ev.Alert) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for a in alerts:
            await producer.send_and_wait(
                shared.topic(topics.ALERTS.name), codec.encode_alert(a), key=a.id.encode()
            )
    finally:
        await producer.stop()


async def notifications(
    db: asyncpg.Connection, until: str, count: int, within: float = 60
) -> list[asyncpg.Record]:
    """The notifications once `count` of them are in state `until`."""
    deadline = time.monotonic() + within
    while True:
        rows = await db.fetch("SELECT * FROM alert_notifications ORDER BY alert_id, subscription_id")
        if sum(r["state"] == until for r in rows) >= count:
            return list(rows)
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not {count} {until}: {[(r['alert_id'], r['state'], r['error']) for r in rows]}"
            )
        await asyncio.sleep(0.2)


async def test_a_critical_alert_reaches_the_webhook_once_signed_despite_a_receiver_down_then_failing(
    db: asyncpg.Connection, stack: StackFactory, shared_settings: SharedSettings
) -> None:
    port = free_port()
    hook_id, secret = await subs.subscribe(
        db, subs.NewSubscription("partner", webhook=f"http://127.0.0.1:{port}/hook"), "test"
    )
    phone_id, _ = await subs.subscribe(db, subs.NewSubscription("duty", phone=ON_DUTY, language="ru"), "test")
    assert secret is not None
    receiver = Receiver(secret=secret, fail_first=2)
    async with stack(**NOTIFY) as running:
        critical = alert("A-crit")
        # Twice, as a replay after a crash would: one transition, one notification per target.
        await publish(shared_settings, critical, critical)
        # The receiver is down: attempts fail and are retried.
        deadline = time.monotonic() + 30
        while (
            await db.fetchval("SELECT attempts FROM alert_notifications WHERE subscription_id = $1", hook_id)
            or 0
        ) < 2:
            assert time.monotonic() < deadline, "no retries while the receiver was down"
            await asyncio.sleep(0.1)
        async with serving(receiver.app(), port):
            rows = await notifications(db, "delivered", 2)
        texted = await running.texted()
    by_sub = {r["subscription_id"]: r for r in rows}
    assert set(by_sub) == {hook_id, phone_id}
    hook = by_sub[hook_id]
    assert hook["attempts"] >= 5  # two refused connections, two 503s, then taken
    assert hook["last_status"] == 204
    assert receiver.forged == 0
    assert receiver.requests == {f"A-crit:1:{hook_id}": 3}  # the two 503s and the one taken
    assert list(receiver.taken) == [f"A-crit:1:{hook_id}"]
    taken = receiver.taken[f"A-crit:1:{hook_id}"]
    assert taken["transition"] == "opened"
    raised = taken["alert"]
    assert isinstance(raised, dict)
    assert (raised["id"], raised["severity"], raised["station_id"]) == ("A-crit", "critical", "ALA-0001")
    assert [(t["to"], t["text"]) for t in texted] == [(ON_DUTY, by_sub[phone_id]["body"])]
    assert str(by_sub[phone_id]["body"]).startswith("pollwatch КРИТИЧНО ALA-0001: ")


async def test_what_the_subscription_does_not_want_is_not_sent(
    db: asyncpg.Connection, stack: StackFactory, shared_settings: SharedSettings
) -> None:
    port = free_port()
    hook_id, secret = await subs.subscribe(
        db,
        subs.NewSubscription(
            "ast", webhook=f"http://127.0.0.1:{port}/hook", regions=["AST"], min_severity="critical"
        ),
        "test",
    )
    await subs.subscribe(db, subs.NewSubscription("duty", phone=ON_DUTY), "test")
    assert secret is not None
    receiver = Receiver(secret=secret)
    async with stack(**NOTIFY) as running, serving(receiver.app(), port):
        await publish(
            shared_settings,
            alert("A-warn", severity=ev.Severity.WARNING, region_id="AST", station_id="AST-0001"),
            alert("A-ala"),
            alert("A-ast", region_id="AST", station_id="AST-0001"),
        )
        rows = await notifications(db, "delivered", 3)
        texted = await running.texted()
    assert sorted((r["alert_id"], r["subscription_id"] == hook_id) for r in rows) == [
        ("A-ala", False),
        ("A-ast", False),
        ("A-ast", True),
    ]
    assert list(receiver.taken) == [f"A-ast:1:{hook_id}"]
    assert Counter(t["to"] for t in texted) == {ON_DUTY: 2}


async def test_a_receiver_that_keeps_failing_leaves_the_notification_dead_until_redelivered(
    db: asyncpg.Connection, stack: StackFactory, shared_settings: SharedSettings
) -> None:
    port = free_port()
    hook_id, secret = await subs.subscribe(
        db, subs.NewSubscription("partner", webhook=f"http://127.0.0.1:{port}/hook"), "test"
    )
    assert secret is not None
    receiver = Receiver(secret=secret, fail_first=1_000)
    async with stack(notify_max_attempts=3, **NOTIFY), serving(receiver.app(), port):
        await publish(shared_settings, alert("A-dead"))
        (dead,) = await notifications(db, "dead", 1)
        assert dead["attempts"] == 3
        assert dead["error"] == "gave up after 3 attempts: HTTP 503"
        assert receiver.requests == {f"A-dead:1:{hook_id}": 3}
        receiver.fail_first = 0
        assert await subs.redeliver_dead(db, hook_id, "test") == 1
        (delivered,) = await notifications(db, "delivered", 1)
    assert delivered["attempts"] == 1
    assert list(receiver.taken) == [f"A-dead:1:{hook_id}"]
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'alerts.redeliver'") == 1


async def test_sms_beyond_the_allowance_are_folded_into_one_digest(
    db: asyncpg.Connection, stack: StackFactory, shared_settings: SharedSettings
) -> None:
    await subs.subscribe(db, subs.NewSubscription("duty", phone=ON_DUTY), "test")
    async with stack(notify_sms_per_minute=2, **NOTIFY) as running:
        await publish(shared_settings, *(alert(f"A{n}", station_id=f"ALA-000{n}") for n in range(1, 6)))
        rows = await notifications(db, "delivered", 5, within=90)  # the digest waits for the minute's end
        texted = await running.texted()
    assert sorted(r["digest"] for r in rows) == [False, False, True, True, True]
    digests = [str(t["text"]) for t in texted if str(t["text"]).startswith("pollwatch: ")]
    assert len(texted) - len(digests) == 2
    # One digest, or two when the alerts were read across a minute's end: 3 alerts in all.
    assert 1 <= len(digests) <= 2
    assert sum(int(d.split()[1]) for d in digests) == 3
    assert all(" more critical alerts this minute at " in d for d in digests)
