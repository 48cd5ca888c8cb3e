"""Deliveries in PostgreSQL: claiming the next due one, recording what the gateway answered,
applying status callbacks, and taking back those a dead process left `sending`.

A claim moves one row from `queued` to `sending` under this process's name (`owner`) before
anything is sent (`FOR UPDATE SKIP LOCKED`: several senders never take the same row); only
the owner's own answer may move it on from `sending`, while callbacks may move any row forward.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import orjson

from services.common.contracts import events as ev
from services.common.infra.db import Conn
from services.messenger.delivery_state import State, Transition, after_interruption, after_status
from services.messenger.gateways.base import StatusReport, split_send_id

Executor = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed delivery with what sending it needs (phone None: the monitor has none now)."""

    broadcast_id: str
    monitor_id: str
    language: str
    attempts: int
    kind: ev.BroadcastKind
    text: str
    translations: dict[str, str]
    phone: str | None
    active: bool


_CLAIM = """
WITH due AS (
    SELECT broadcast_id, monitor_id FROM message_deliveries
    WHERE state = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, broadcast_id, monitor_id
    LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE message_deliveries d
SET state = 'sending', attempts = d.attempts + 1, claimed_at = now(), claimed_by = $1, updated_at = now()
FROM due, broadcasts b, monitors m
WHERE d.broadcast_id = due.broadcast_id AND d.monitor_id = due.monitor_id
  AND b.id = d.broadcast_id AND m.id = d.monitor_id
RETURNING d.broadcast_id, d.monitor_id, d.language, d.attempts, b.kind, b.text, b.translations,
          m.phone, m.revoked_at IS NULL AS active"""


async def claim_next(db: Executor, owner: str) -> Due | None:
    row = await db.fetchrow(_CLAIM, owner)
    if row is None:
        return None
    return Due(
        row["broadcast_id"],
        row["monitor_id"],
        row["language"],
        row["attempts"],
        ev.BroadcastKind(row["kind"]),
        row["text"],
        orjson.loads(row["translations"]),
        row["phone"],
        row["active"],
    )


async def record(db: Executor, due: Due, owner: str, t: Transition) -> bool:
    """Records the answer to this process's send; False when a callback or another process
    moved the delivery on meanwhile (the gateway's message id is kept all the same)."""
    applied = await db.fetchval(
        """UPDATE message_deliveries SET
             state = CASE WHEN state = 'sending' AND claimed_by = $3 THEN $4 ELSE state END,
             error = CASE WHEN state = 'sending' AND claimed_by = $3 THEN $5 ELSE error END,
             next_attempt_at = CASE WHEN state = 'sending' AND claimed_by = $3
                                    THEN now() + make_interval(secs => $6) ELSE next_attempt_at END,
             gateway_message_id = coalesce(gateway_message_id, $7),
             sent_at = CASE WHEN $4 = 'sent' THEN coalesce(sent_at, now()) ELSE sent_at END,
             settled_at = CASE WHEN $4 = 'failed' AND state = 'sending' AND claimed_by = $3
                               THEN now() ELSE settled_at END,
             updated_at = now()
           WHERE broadcast_id = $1 AND monitor_id = $2
           RETURNING state = $4 AS applied""",
        due.broadcast_id,
        due.monitor_id,
        owner,
        t.state.value,
        t.error,
        t.retry_in or 0.0,
        t.gateway_id,
    )
    return bool(applied)


@dataclass(frozen=True, slots=True)
class StatusResult:
    matched: bool
    applied: bool


async def apply_status(conn: Conn, report: StatusReport) -> StatusResult:
    """Moves the delivery the callback names forward (by our send id, else the gateway's id)."""
    if report.status is None:
        return StatusResult(matched=True, applied=False)  # an interim status: nothing to record
    key = split_send_id(report.send_id) if report.send_id else None
    async with conn.transaction():
        if key is not None:
            row = await conn.fetchrow(
                """SELECT broadcast_id, monitor_id, state FROM message_deliveries
                   WHERE broadcast_id = $1 AND monitor_id = $2 FOR UPDATE""",
                *key,
            )
        elif report.gateway_id:
            row = await conn.fetchrow(
                """SELECT broadcast_id, monitor_id, state FROM message_deliveries
                   WHERE gateway_message_id = $1 FOR UPDATE""",
                report.gateway_id,
            )
        else:
            row = None
        if row is None:
            return StatusResult(matched=False, applied=False)
        new = after_status(State(row["state"]), State(report.status))
        await conn.execute(
            """UPDATE message_deliveries SET
                 state = coalesce($3, state),
                 error = CASE WHEN $3 = 'failed' THEN $4 ELSE error END,
                 gateway_message_id = coalesce(gateway_message_id, $5),
                 sent_at = CASE WHEN $3 IN ('sent', 'delivered') THEN coalesce(sent_at, now())
                                ELSE sent_at END,
                 settled_at = CASE WHEN $3 IN ('delivered', 'failed') THEN now() ELSE settled_at END,
                 updated_at = now()
               WHERE broadcast_id = $1 AND monitor_id = $2""",
            row["broadcast_id"],
            row["monitor_id"],
            None if new is None else new.value,
            report.error,
            report.gateway_id,
        )
    return StatusResult(matched=True, applied=new is not None)


async def take_back_interrupted(db: Executor, lease_seconds: float, idempotent: bool) -> int:
    """Deliveries left `sending` past the lease (their process died mid-send): back to `queued`
    where a resend is harmless, else `unknown` for the gateway's callback to settle."""
    status = await db.execute(
        """UPDATE message_deliveries
           SET state = $2, claimed_by = NULL, next_attempt_at = now(), updated_at = now(),
               error = 'interrupted while sending'
           WHERE state = 'sending' AND claimed_at < now() - make_interval(secs => $1)""",
        lease_seconds,
        after_interruption(idempotent).value,
    )
    return int(status.rsplit(" ", 1)[1])


async def counts(db: Executor) -> dict[str, int]:
    """Deliveries per state, every broadcast together (for the gauges)."""
    rows = await db.fetch("SELECT state, count(*) AS n FROM message_deliveries GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


async def awaiting_status(db: Executor, older_than_seconds: float, limit: int) -> list[str]:
    """Gateway message ids of deliveries sent but not settled, least recently looked at first
    (for a gateway whose statuses are asked for rather than called back)."""
    rows = await db.fetch(
        """SELECT gateway_message_id FROM message_deliveries
           WHERE state = 'sent' AND gateway_message_id IS NOT NULL
             AND updated_at < now() - make_interval(secs => $1)
           ORDER BY updated_at LIMIT $2""",
        older_than_seconds,
        limit,
    )
    return [r["gateway_message_id"] for r in rows]


async def touch(db: Executor, gateway_id: str) -> None:
    """Marks a delivery as looked at, so the next poll asks about others first."""
    await db.execute(
        "UPDATE message_deliveries SET updated_at = now() WHERE gateway_message_id = $1", gateway_id
    )
