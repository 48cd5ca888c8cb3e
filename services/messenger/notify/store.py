"""Notifications in PostgreSQL: queueing an alert transition's notifications (idempotent),
claiming the next due one, recording its outcome, and taking back those a dead process left.

A notification is claimed (`sending`, under this process's name) before it leaves and recorded
after, the same discipline as the messenger's deliveries (services/messenger/deliveries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.common.contracts import events as ev
from services.common.infra.db import Conn
from services.messenger.notify import payload
from services.messenger.notify.attempts import Next
from services.messenger.notify.routing import Channel, Subscription, held_for_digest, targets

Executor = Conn | asyncpg.Pool
Key = tuple[str, int, str]  # (alert id, version, subscription id)


async def subscriptions(db: Executor) -> list[Subscription]:
    rows = await db.fetch("SELECT * FROM alert_subscriptions WHERE disabled_at IS NULL")
    return [
        Subscription(
            r["id"],
            Channel(r["channel"]),
            r["target"],
            ev.Severity(r["min_severity"]),
            frozenset(r["rules"]),
            frozenset(r["regions"]),
            r["on_duty"],
            r["language"],
            r["secret"],
        )
        for r in rows
    ]


async def enqueue(conn: Conn, alert: ev.Alert, subs: list[Subscription], per_minute: int) -> int:
    """Queues the transition for every subscription that wants it; a transition read again
    (after a crash, before its offset was committed) queues nothing. Returns how many were new."""
    new = 0
    async with conn.transaction():
        for sub in targets(alert, subs):
            if sub.channel is Channel.SMS:
                recent = await conn.fetchval(
                    """SELECT count(*) FROM alert_notifications
                       WHERE subscription_id = $1 AND created_at > now() - interval '1 minute'""",
                    sub.id,
                )
                digest = held_for_digest(sub.channel, recent, per_minute)
                body = payload.sms_text(alert, sub.language)
            else:
                digest, body = False, payload.webhook_body(alert, sub.id)
            status = await conn.execute(
                """INSERT INTO alert_notifications (alert_id, version, subscription_id, transition,
                     severity, station_id, body, digest, raised_at, next_attempt_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                           CASE WHEN $8 THEN date_trunc('minute', now()) + interval '1 minute'
                                ELSE now() END)
                   ON CONFLICT DO NOTHING""",
                alert.id,
                alert.version,
                sub.id,
                alert.transition.value,
                alert.severity.value,
                alert.station_id,
                body,
                digest,
                alert.updated_at,
            )
            new += status.endswith(" 1")
    return new


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed notification, or a digest: several held SMS to one phone sent as one."""

    keys: tuple[Key, ...]
    channel: Channel
    target: str
    secret: str | None
    language: str
    body: str
    attempts: int
    digest_stations: tuple[str, ...] = ()

    @property
    def delivery_id(self) -> str:
        return ":".join(str(part) for part in self.keys[0])


_CLAIM = """
WITH due AS (
    SELECT alert_id, version, subscription_id FROM alert_notifications
    WHERE state = 'queued' AND next_attempt_at <= now()
      -- One worker at a time gathers a phone's digest; another would send a second one.
      AND (NOT digest OR pg_try_advisory_xact_lock(hashtext('pollwatch-digest:' || subscription_id)))
    ORDER BY next_attempt_at, alert_id, version, subscription_id
    LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE alert_notifications n
SET state = 'sending', attempts = n.attempts + 1, claimed_at = now(), claimed_by = $1, updated_at = now()
FROM due, alert_subscriptions s
WHERE (n.alert_id, n.version, n.subscription_id) = (due.alert_id, due.version, due.subscription_id)
  AND s.id = n.subscription_id
RETURNING n.alert_id, n.version, n.subscription_id, n.body, n.attempts, n.digest, n.station_id,
          s.channel, s.target, s.secret, s.language"""

# The rest of the minute's held SMS to the same phone go with the first one claimed.
_CLAIM_DIGEST = """
WITH held AS (
    SELECT alert_id, version, subscription_id FROM alert_notifications
    WHERE subscription_id = $2 AND digest AND state = 'queued' AND next_attempt_at <= now()
    FOR UPDATE SKIP LOCKED
)
UPDATE alert_notifications n
SET state = 'sending', attempts = n.attempts + 1, claimed_at = now(), claimed_by = $1, updated_at = now()
FROM held
WHERE (n.alert_id, n.version, n.subscription_id) = (held.alert_id, held.version, held.subscription_id)
RETURNING n.alert_id, n.version, n.subscription_id, n.station_id"""


async def claim_next(pool: asyncpg.Pool, owner: str) -> Due | None:
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(_CLAIM, owner)
        if row is None:
            return None
        keys: list[Key] = [(row["alert_id"], row["version"], row["subscription_id"])]
        stations: list[str] = []
        if row["digest"]:
            stations.append(row["station_id"])
            for r in await conn.fetch(_CLAIM_DIGEST, owner, row["subscription_id"]):
                keys.append((r["alert_id"], r["version"], r["subscription_id"]))
                stations.append(r["station_id"])
    return Due(
        tuple(keys),
        Channel(row["channel"]),
        row["target"],
        row["secret"],
        row["language"],
        row["body"],
        row["attempts"],
        tuple(stations),
    )


async def record(db: Executor, due: Due, owner: str, outcome: Next, status: int | None) -> None:
    """Records the outcome on every notification of `due` this process still holds."""
    for alert_id, version, subscription_id in due.keys:
        await db.execute(
            """UPDATE alert_notifications SET
                 state = $5, error = $6, last_status = $7,
                 next_attempt_at = now() + make_interval(secs => $8),
                 delivered_at = CASE WHEN $5 = 'delivered' THEN now() ELSE delivered_at END,
                 claimed_by = NULL, updated_at = now()
               WHERE alert_id = $1 AND version = $2 AND subscription_id = $3
                 AND state = 'sending' AND claimed_by = $4""",
            alert_id,
            version,
            subscription_id,
            owner,
            outcome.state.value,
            outcome.error,
            status,
            outcome.retry_in,
        )


async def take_back_interrupted(db: Executor, lease_seconds: float, sms_resend_harmless: bool) -> int:
    """Notifications left `sending` past the lease by a dead process: webhooks go out again with
    the same delivery id; an SMS only where the gateway deduplicates, else it is left `unknown`."""
    status = await db.execute(
        """UPDATE alert_notifications n
           SET state = CASE WHEN s.channel = 'webhook' OR $2 THEN 'queued' ELSE 'unknown' END,
               claimed_by = NULL, next_attempt_at = now(), updated_at = now(),
               error = 'interrupted while sending'
           FROM alert_subscriptions s
           WHERE s.id = n.subscription_id AND n.state = 'sending'
             AND n.claimed_at < now() - make_interval(secs => $1)""",
        lease_seconds,
        sms_resend_harmless,
    )
    return int(status.rsplit(" ", 1)[1])


async def counts(db: Executor) -> dict[str, int]:
    rows = await db.fetch("SELECT state, count(*) AS n FROM alert_notifications GROUP BY state")
    return {r["state"]: r["n"] for r in rows}
