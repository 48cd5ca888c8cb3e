"""The dedup table written by group commit: one statement per batch, shared by every request.

Requests hand their ids to `claim`, `accept` or `release` and wait. One writer task takes all
that queued up while its previous statement ran and writes it in a single round trip and
commit (`_WRITE`: the claims' INSERT, with accept and release as data-modifying CTEs), on a
connection it holds, so there is no pool acquire/reset per request. A lone request is written
at once; under load the batches grow by themselves (one statement in flight at a time).

A row is claimed by exactly one statement however many replicas or requests try at once:
`INSERT ... ON CONFLICT` decides per row, and ids are sorted so that statements lock rows in
the same order. A statement PostgreSQL aborts as a deadlock victim is retried.

Each store is an *owner*: a random key, held as a PostgreSQL advisory lock by its writer's
session, and written on each claim it makes. A claim whose owner holds no lock any more (its
process died, or PostgreSQL ended its session) is taken over by the next claim of that id at
once; a live owner's claim is held until it is accepted or released (or the claim TTL ends).
A release deletes only the releasing owner's own claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import TypeVar

import asyncpg

from services.ingest.errors import UnavailableError
from services.ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)
T = TypeVar("T")

_WRITE = """
WITH accepted AS (
    UPDATE ingest_dedup SET accepted_at = now() WHERE id = ANY($3::text[])
), released AS (
    DELETE FROM ingest_dedup WHERE id = ANY($4::text[]) AND accepted_at IS NULL AND owner = $6
)
INSERT INTO ingest_dedup (id, owner) SELECT unnest($1::text[]), $6
ON CONFLICT (id) DO UPDATE SET claimed_at = now(), accepted_at = NULL, owner = EXCLUDED.owner
  WHERE (ingest_dedup.accepted_at IS NULL AND (
          ingest_dedup.claimed_at < now() - $2::interval
          OR (ingest_dedup.owner IS NOT NULL AND NOT EXISTS (
            SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND (classid::int8 << 32 | objid::int8) = ingest_dedup.owner))))
     OR ingest_dedup.accepted_at < now() - $5::interval
RETURNING id
"""
# The owner's lock (a bigint key shows in pg_locks as classid, objid, objsubid 1), taken when
# the writer's connection is set up; the pool's reset on release unlocks it.
_OWN = "SELECT pg_advisory_lock({owner})"
# The statement returns only the ids it claimed, which under load is every id (new reports):
# the state of the others (resends) is read by a second statement, only when there are any.
# Joining every wanted id to its row in `_WRITE` itself cost PostgreSQL more CPU per
# statement, on every request. An id read here as neither claimed
# nor accepted (or gone: released meanwhile) is held: the client is told to retry.
_KNOWN = "SELECT id FROM ingest_dedup WHERE id = ANY($1::text[]) AND accepted_at IS NOT NULL"
# Most statements under single-report load only record acceptances: no CTEs, joins or rows
# back for those (they cost PostgreSQL about half the CPU of the full statement).
_ACCEPT = "UPDATE ingest_dedup SET accepted_at = now() WHERE id = ANY($1::text[])"
# The writer's session plans each statement once (a generic plan), not at every execution:
# PostgreSQL otherwise keeps re-planning them for the ids at hand (custom plans; the generic
# plan's estimate for an array of ids never wins), and planning was most of a one-id
# statement's CPU. Every statement reaches rows by id, so the generic plan must use the
# primary key whatever the statistics say (a plan made while the table was small would scan
# it): sequential scans are off for this session. Both are undone by the pool's reset.
# Guarded by tests/integration/ingest/test_dedup_store.py
# (test_the_writer_plans_its_statements_once_and_reaches_rows_by_key).
_GENERIC_PLANS = "SET plan_cache_mode TO force_generic_plan; SET enable_seqscan TO off"
# This session's commits return before their WAL is flushed (the writer flushes it within
# 3 x wal_writer_delay): the fsync leaves the request's critical path.
_ASYNC_COMMIT = "SET synchronous_commit TO off"
_ATTEMPTS = 3
_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
)
_DB_ERRORS = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    TimeoutError,
)


class ClaimState(Enum):
    CLAIMED = "claimed"  # ours to produce
    ACCEPTED = "accepted"  # Kafka has it already
    HELD = "held"  # claimed by someone else and not accepted yet


@dataclass
class _Batch:
    """What queued up while the previous statement ran; one future per caller, not per id."""

    claims: dict[str, None] = field(default_factory=dict)  # an ordered set
    accepts: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)
    done: list[asyncio.Future[dict[str, ClaimState]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.claims or self.accepts or self.releases)


class DedupStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        window: timedelta,
        claim_ttl: timedelta,
        timeout: float,
        metrics: IngestMetrics,
        accept_linger: float = 0.0,
        synchronous_commit: bool = True,
    ) -> None:
        """`accept_linger` (s): how long a statement of acceptances only waits for a claim to
        share it with; under single-report load that halves the statements per request.
        `synchronous_commit=False`: commits do not wait for the WAL flush (see docs/ingest.md:
        a PostgreSQL crash may forget the last ~0.6 s of claims and acceptances)."""
        self._pool = pool
        # Not negative, so that its halves read back from pg_locks as written.
        self._owner = secrets.randbits(62)
        session = _GENERIC_PLANS if synchronous_commit else f"{_GENERIC_PLANS}; {_ASYNC_COMMIT}"
        self._session = f"{session}; {_OWN.format(owner=self._owner)}"
        self._accept_linger = accept_linger
        self._lingering: asyncio.Future[None] | None = None
        self._batch_ids = metrics.dedup_batch_ids
        self._window = window
        self._claim_ttl = claim_ttl
        self._timeout = timeout
        self._next = _Batch()
        self._writer: asyncio.Task[None] | None = None
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None

    async def claim(self, ids: Sequence[str]) -> dict[str, ClaimState]:
        """Claims `ids` (distinct, not claimed by this store already); UnavailableError if unreachable."""
        self._next.claims.update(dict.fromkeys(ids))
        if self._lingering is not None:
            _resolve(self._lingering, None)  # the waiting acceptances go with this claim now
        states = await self._wait(self._next)
        return {i: states[i] for i in ids}

    async def accept(self, ids: Sequence[str]) -> None:
        """Records that Kafka acknowledged `ids`; UnavailableError if that could not be written."""
        await self.accept_soon(ids)

    def accept_soon(self, ids: Sequence[str]) -> asyncio.Future[dict[str, ClaimState]]:
        """`accept` without a coroutine (nor a task to run it in the background): the future is
        done once `ids` are written, or holds the error."""
        if not ids:  # nothing to write: no statement
            nothing: asyncio.Future[dict[str, ClaimState]] = asyncio.get_running_loop().create_future()
            nothing.set_result({})
            return nothing
        self._next.accepts.extend(ids)
        return self._wait(self._next)

    async def release(self, ids: Sequence[str]) -> None:
        """Gives up claims whose write failed; UnavailableError if that could not be written."""
        await self._queue(self._next.releases, ids)

    async def close(self) -> None:
        """Lets the writer finish what is queued, then gives the connection back."""
        if self._writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        await self._drop_connection(broken=False)

    async def _queue(self, into: list[str], ids: Sequence[str]) -> None:
        if not ids:
            return
        into.extend(ids)
        await self._wait(self._next)

    def _wait(self, batch: _Batch) -> asyncio.Future[dict[str, ClaimState]]:
        """The state of every id `batch` claims, once it is written (or its error)."""
        done: asyncio.Future[dict[str, ClaimState]] = asyncio.get_running_loop().create_future()
        batch.done.append(done)
        self._wake()
        return done

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def _write_all(self) -> None:
        while self._next:
            if self._accept_linger and not self._next.claims and not self._next.releases:
                await self._linger()
            batch, self._next = self._next, _Batch()
            try:
                states = await self._write(batch)
            except _DB_ERRORS as exc:
                error = UnavailableError(f"dedup store unreachable: {exc.__class__.__name__}: {exc}")
                error.__cause__ = exc
                _fail(batch, error)
                continue
            except BaseException as exc:  # never leave a request waiting on a dead writer
                _fail(batch, exc)
                raise
            for done in batch.done:
                _resolve(done, states)

    async def _write(self, batch: _Batch) -> dict[str, ClaimState]:
        claims = sorted(batch.claims)
        accepts = sorted(set(batch.accepts))
        releases = sorted(set(batch.releases))
        self._batch_ids.observe(len(claims) + len(accepts) + len(releases))
        args = (claims, self._claim_ttl, accepts, releases, self._window, self._owner)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                if self._conn is None:
                    self._conn = await self._pool.acquire(timeout=self._timeout)
                    # settings and the owner's lock: undone by the pool's reset on release
                    await self._conn.execute(self._session, timeout=self._timeout)
                if not claims and not releases:
                    await self._conn.execute(_ACCEPT, accepts, timeout=self._timeout)
                    return {}
                rows = await self._conn.fetch(_WRITE, *args, timeout=self._timeout)
                states = dict.fromkeys([r[0] for r in rows], ClaimState.CLAIMED)
                others = [i for i in claims if i not in states]
                if others:
                    accepted = await self._conn.fetch(_KNOWN, others, timeout=self._timeout)
                    states |= dict.fromkeys(others, ClaimState.HELD)
                    states |= dict.fromkeys([r[0] for r in accepted], ClaimState.ACCEPTED)
                return states
            except asyncpg.DeadlockDetectedError:
                log.info("dedup write chosen as deadlock victim; retrying (%d)", attempt)
            except _LOST:
                # The server closed the connection (and likely the pool's others: a restart).
                # Retried once on a new one; had the statement run, the retry finds these
                # claims held and answers in_progress.
                await self._drop_connection()
                await self._pool.expire_connections()
                if attempt > 1:
                    raise
            except _DB_ERRORS:
                await self._drop_connection()
                raise
        raise TimeoutError("dedup write failed every attempt")

    async def _drop_connection(self, broken: bool = True) -> None:
        """Hands the connection back; closed first when broken (its state is unknown)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        # A proxy whose connection the server closed has already gone back to the pool.
        with contextlib.suppress(*_DB_ERRORS):
            if broken:
                conn.terminate()
            await self._pool.release(conn, timeout=self._timeout)

    async def _linger(self) -> None:
        """Waits up to accept_linger for a claim (which ends the wait at once)."""
        loop = asyncio.get_running_loop()
        self._lingering = lingering = loop.create_future()
        timer = loop.call_later(self._accept_linger, _resolve, lingering, None)
        try:
            await lingering
        finally:
            timer.cancel()
            self._lingering = None


def _resolve(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _fail(batch: _Batch, exc: BaseException) -> None:
    for future in batch.done:
        if future.done():
            continue
        if isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
