"""Alert subscriptions and the delivery log in PostgreSQL; every change goes to the audit log."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg

from services.common import audit
from services.common.infra.db import Conn
from services.common.infra.errors import PollwatchError
from services.common.monitors.phones import e164

SEVERITIES = ("info", "warning", "critical")
LANGUAGES = ("en", "ru", "kk")


class SubscriptionError(PollwatchError):
    """A subscription refused: the message names the field and why."""


@dataclass(frozen=True, slots=True)
class NewSubscription:
    name: str
    webhook: str | None = None
    phone: str | None = None
    min_severity: str = "warning"
    rules: Sequence[str] = ()
    regions: Sequence[str] = ()
    language: str = "en"


def _checked(new: NewSubscription) -> tuple[str, str]:
    """(channel, target), or SubscriptionError naming the field."""
    if not new.name.strip():
        raise SubscriptionError("name: empty")
    if (new.webhook is None) == (new.phone is None):
        raise SubscriptionError("webhook/phone: give exactly one")
    if new.min_severity not in SEVERITIES:
        raise SubscriptionError(f"severity: {new.min_severity!r} is not one of {', '.join(SEVERITIES)}")
    if new.language not in LANGUAGES:
        raise SubscriptionError(f"language: {new.language!r} is not one of {', '.join(LANGUAGES)}")
    if new.webhook is not None:
        url = urlsplit(new.webhook)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise SubscriptionError(f"webhook: {new.webhook!r} is not an http(s) URL")
        return "webhook", new.webhook
    assert new.phone is not None
    phone = e164(new.phone)
    if phone is None:
        raise SubscriptionError(f"phone: {new.phone!r} is not an international number (E.164)")
    return "sms", phone


async def subscribe(conn: Conn, new: NewSubscription, actor: str) -> tuple[str, str | None]:
    """Adds a subscription; returns its id and, for a webhook, the signing secret (shown once)."""
    channel, target = _checked(new)
    known = await conn.fetch("SELECT id FROM regions WHERE id = ANY($1::text[])", list(new.regions))
    if unknown := sorted(set(new.regions) - {r["id"] for r in known}):
        raise SubscriptionError(f"region: unknown {', '.join(unknown)}")
    sub_id = f"sub-{secrets.token_hex(6)}"
    secret = secrets.token_urlsafe(32) if channel == "webhook" else None
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO alert_subscriptions (id, name, channel, target, secret, language,
                 min_severity, rules, regions, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            sub_id,
            new.name.strip(),
            channel,
            target,
            secret,
            new.language,
            new.min_severity,
            sorted(set(new.rules)),
            sorted(set(new.regions)),
            actor,
        )
        details = {"channel": channel, "severity": new.min_severity, "regions": sorted(new.regions)}
        await audit.record(conn, actor, "alerts.subscribe", sub_id, details)
    return sub_id, secret


async def set_on_duty(conn: Conn, sub_id: str, on_duty: bool, actor: str) -> None:
    async with conn.transaction():
        status = await conn.execute(
            "UPDATE alert_subscriptions SET on_duty = $2 WHERE id = $1 AND disabled_at IS NULL",
            sub_id,
            on_duty,
        )
        if status.endswith(" 0"):
            raise SubscriptionError(f"id: no active subscription {sub_id}")
        await audit.record(conn, actor, "alerts.duty", sub_id, {"on_duty": on_duty})


async def unsubscribe(conn: Conn, sub_id: str, actor: str) -> None:
    async with conn.transaction():
        status = await conn.execute(
            "UPDATE alert_subscriptions SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL",
            sub_id,
        )
        if status.endswith(" 0"):
            raise SubscriptionError(f"id: no active subscription {sub_id}")
        await audit.record(conn, actor, "alerts.unsubscribe", sub_id)


async def listed(conn: Conn | asyncpg.Pool) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT id, name, channel, target, language, min_severity, rules, regions, on_duty
               FROM alert_subscriptions WHERE disabled_at IS NULL ORDER BY created_at, id"""
        )
    )


async def delivery_log(
    conn: Conn | asyncpg.Pool, state: str | None = None, limit: int = 50
) -> list[asyncpg.Record]:
    """The newest notifications first (all states, or one)."""
    return list(
        await conn.fetch(
            """SELECT n.alert_id, n.version, n.subscription_id, s.name, s.channel, n.transition,
                      n.severity, n.station_id, n.state, n.attempts, n.last_status, n.error,
                      n.digest, n.raised_at, n.created_at, n.delivered_at
               FROM alert_notifications n JOIN alert_subscriptions s ON s.id = n.subscription_id
               WHERE $1::text IS NULL OR n.state = $1
               ORDER BY n.created_at DESC, n.alert_id LIMIT $2""",
            state,
            limit,
        )
    )


async def redeliver_dead(conn: Conn, sub_id: str, actor: str) -> int:
    """Queues a subscription's dead notifications again (once its receiver is fixed)."""
    async with conn.transaction():
        status = await conn.execute(
            """UPDATE alert_notifications SET state = 'queued', attempts = 0, next_attempt_at = now(),
                 updated_at = now() WHERE subscription_id = $1 AND state = 'dead'""",
            sub_id,
        )
        count = int(status.rsplit(" ", 1)[1])
        await audit.record(conn, actor, "alerts.redeliver", sub_id, {"count": count})
    return count
