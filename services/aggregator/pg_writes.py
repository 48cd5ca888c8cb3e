"""PostgreSQL writes that land, or say which rows cannot and why.

- Transport and server trouble (a lost connection, PostgreSQL restarting, a deadlock) is
  retried with backoff until the write lands. After a failed connection (`connection_failed`:
  whatever asyncpg raises for it, `InternalClientError` included) the pool replaces every
  connection, which a restarted server has closed; waiting for a connection is bounded too,
  so no write waits without failing (and showing as a stall).
- Rows PostgreSQL refuses for their content (SQLSTATE class 22, data exception: a NUL in a
  text, a number out of range; class 23, integrity constraint violation; or asyncpg refusing a
  value before sending it) fail again on every retry, and every later batch would wait behind
  them. Such a batch is split in halves until each refused row stands alone; the others land
  and each refused row goes to `refuse` with PostgreSQL's reason (the dead-letter topic).
- A write still failing after `sink_stall_after_s` is a stalled sink: `/readyz` and
  `pollwatch_aggregator_sink_stalled_seconds` say so (`Stalls`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg

from services.aggregator import metrics, sink
from services.aggregator.runtime import Runtime
from services.common.infra.db import QUERY_ERRORS, connection_failed

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MAX_BACKOFF_S = 10.0
# Longest wait for a pooled connection (asyncpg waits forever by default); as long as a
# statement may run (the pool's command_timeout).
ACQUIRE_TIMEOUT_S = 30.0
# Rows per statement: building and encoding a national batch's 20,000 rows at once held the
# event loop for most of a second (slices.py); the round trips between statements let it run.
STATEMENT_ROWS = 2000
# SQLSTATE classes of errors caused by the rows themselves: retrying them cannot help.
REFUSED_CLASSES = ("22", "23")
# What a failed write may raise that a retry can cure (or, for refusals, bisecting).
_ERRORS = QUERY_ERRORS
Refuse = Callable[[T, str], Awaitable[None]]


def refused(exc: BaseException) -> bool:
    """Whether PostgreSQL (or asyncpg, encoding a value) refused the rows for their content."""
    if isinstance(exc, asyncpg.PostgresError):
        return (exc.sqlstate or "")[:2] in REFUSED_CLASSES
    # asyncpg's own invalid-input error (a value its codec cannot send) is both of these.
    return isinstance(exc, asyncpg.InterfaceError) and isinstance(exc, ValueError)


async def with_retry(rt: Runtime, what: str, call: Callable[[sink.Conn], Awaitable[R]]) -> R:
    """`call` on a pooled connection, retrying transport and server errors with backoff; an
    error `refused` names is raised at once."""
    delay = 0.2
    write = rt.stalls.begin()
    try:
        while True:
            assert rt.pool is not None
            try:
                async with rt.pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
                    return await call(conn)
            except _ERRORS as exc:
                if refused(exc):
                    raise
                rt.stalls.failed(write, time.monotonic())
                metrics.SINK_ERRORS.inc()
                if connection_failed(exc):
                    await rt.pool.expire_connections()
                log.warning("%s failed, retrying in %.1fs: %r", what, delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
    finally:
        rt.stalls.ended(write)


async def write_with_retry(
    rt: Runtime,
    table: str,
    batch: Sequence[T],
    write: Callable[[sink.Conn, Sequence[T]], Awaitable[None]],
    refuse: Refuse[T],
) -> None:
    """Writes a batch until it lands, in statements of at most `STATEMENT_ROWS` rows; rows
    refused for their content go to `refuse`, alone."""
    # A stack, the batch's first rows on top (and a split's first half).
    starts = range(0, len(batch), STATEMENT_ROWS)
    pending = [batch[start : start + STATEMENT_ROWS] for start in reversed(starts)]
    while pending:
        rows = pending.pop()
        try:
            attempt = functools.partial(_timed, table, write, rows)
            await with_retry(rt, f"writing {len(rows)} rows to {table}", attempt)
        except _ERRORS as exc:
            if not refused(exc):
                raise
            if len(rows) > 1:
                half = len(rows) // 2
                pending += [rows[half:], rows[:half]]
                continue
            metrics.ROWS_REFUSED.labels(table).inc()
            await refuse(rows[0], f"{table}: {type(exc).__name__}: {exc}")
            continue
        metrics.SINK_ROWS.labels(table).inc(len(rows))


async def _timed(
    table: str, write: Callable[[sink.Conn, Sequence[T]], Awaitable[None]], rows: Sequence[T], conn: sink.Conn
) -> None:
    started = time.monotonic()
    await write(conn, rows)
    metrics.SINK_SECONDS.labels(table).observe(time.monotonic() - started)
