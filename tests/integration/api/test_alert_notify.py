"""Alerts to the people on duty through GraphQL: coordinators read the subscriptions and the
delivery log and put a phone on or off duty (audited); others and region-scoped keys may not."""

from __future__ import annotations

import asyncpg

from services.common.notify import subscriptions as subs
from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api

LIST = "{ alertSubscriptions { id name channel target minSeverity regions onDuty } }"
LOG = """query($s: String) {
  alertDeliveries(state: $s) { alertId version subscriptionName state attempts error } }"""
DUTY = "mutation($s: ID!, $on: Boolean!) { setAlertDuty(subscription: $s, onDuty: $on) { id onDuty } }"


async def test_a_coordinator_reads_the_log_and_takes_a_phone_off_duty(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    phone, _ = await subs.subscribe(
        db, subs.NewSubscription("duty", phone="+442079460099", regions=["R1"]), "t"
    )
    hook, _ = await subs.subscribe(db, subs.NewSubscription("ngo", webhook="https://ngo.example/h"), "t")
    await db.execute(
        """INSERT INTO alert_notifications (alert_id, version, subscription_id, transition, severity,
             station_id, body, state, attempts, error, raised_at)
           VALUES ('A1', 2, $1, 'opened', 'critical', 'S1', '{}', 'dead', 10, 'gave up', now())""",
        hook,
    )
    listed = await gql(api.url, LIST, keys["coordinator"])
    assert "errors" not in listed, listed
    assert [
        (s["id"], s["channel"], s["regions"], s["onDuty"]) for s in listed["data"]["alertSubscriptions"]
    ] == [
        (phone, "sms", ["R1"], True),
        (hook, "webhook", [], True),
    ]
    dead = await gql(api.url, LOG, keys["coordinator"], {"s": "dead"})
    assert dead["data"]["alertDeliveries"] == [
        {
            "alertId": "A1",
            "version": 2,
            "subscriptionName": "ngo",
            "state": "dead",
            "attempts": 10,
            "error": "gave up",
        }
    ]
    off = await gql(api.url, DUTY, keys["coordinator"], {"s": phone, "on": False})
    assert off["data"]["setAlertDuty"] == {"id": phone, "onDuty": False}
    assert await db.fetchval("SELECT on_duty FROM alert_subscriptions WHERE id = $1", phone) is False
    key_id = keys["coordinator"].split("_")[1]
    assert await db.fetchval("SELECT actor FROM audit_log WHERE action = 'alerts.duty'") == (
        f"api:org-coordinator:{key_id}"
    )


async def test_analysts_region_scoped_keys_and_unknown_ids_are_refused(
    api: Api, keys: dict[str, str]
) -> None:
    assert error_codes(await gql(api.url, LIST, keys["analyst"])) == ["FORBIDDEN"]
    assert error_codes(await gql(api.url, LOG, keys["coordinator_r2"])) == ["FORBIDDEN"]
    assert error_codes(await gql(api.url, LOG, keys["coordinator"], {"s": "lost"})) == ["INVALID_ARGUMENT"]
    missing = await gql(api.url, DUTY, keys["admin"], {"s": "sub-none", "on": True})
    assert error_codes(missing) == ["NOT_FOUND"]
