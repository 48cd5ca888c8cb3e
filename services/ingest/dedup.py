"""Recognising resends: report ids claimed before, and recorded after, Kafka has them.

Store: the PostgreSQL table `ingest_dedup` (migration 0004) holds every id for the window
(INGEST_DEDUP_WINDOW_HOURS, default 72 h), shared by replicas and kept across restarts, and
written by group commit (`dedup_store`); an in-process LRU of accepted ids
(INGEST_DEDUP_CACHE_SIZE) answers most resends without a round trip. An id is *claimed* (a
row without accepted_at) before it is produced and *accepted* only once Kafka acknowledged
it; a failed write releases the claim. Concurrent copies of one id, in one batch or in
flight in this process, wait for the first; a copy in flight on another live replica is
answered `in_progress` (retry); a claim left by a replica that is gone is taken over at once
(`dedup_store`). See docs/ingest.md."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import asyncpg

from services.ingest.dedup_store import ClaimState, DedupStore
from services.ingest.errors import UnavailableError

Recorded = Callable[[Sequence[str], bool], None]
_PURGE = "DELETE FROM ingest_dedup WHERE claimed_at < now() - $1::interval"


class Outcome(StrEnum):
    NEW = "new"  # ours to produce
    DUPLICATE = "duplicate"  # accepted before
    IN_PROGRESS = "in_progress"  # being written by another request or replica: retry
    UNAVAILABLE = "unavailable"  # the first copy could not be written: retry


@dataclass
class Claim:
    """Per position in the ids handed to `claim`: settled outcomes, or a wait on the first copy."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    waiting: dict[int, asyncio.Future[Outcome]] = field(default_factory=dict)

    @property
    def new(self) -> list[int]:
        return [i for i, o in self.outcomes.items() if o is Outcome.NEW]


class Deduplicator:
    def __init__(self, pool: asyncpg.Pool, store: DedupStore, window: timedelta, cache_size: int) -> None:
        self._pool = pool
        self._store = store
        self._window = window
        self._cache_size = cache_size
        self._accepted: OrderedDict[str, float] = OrderedDict()
        # Acknowledged by Kafka, being recorded: duplicates even with the LRU off.
        self._recording: set[str] = set()
        # Being claimed or written here; a future only once a copy waits for the outcome.
        self._in_flight: dict[str, asyncio.Future[Outcome] | None] = {}

    def _cached(self, report_id: str) -> bool:
        if report_id in self._recording:
            return True
        at = self._accepted.get(report_id)
        if at is None:
            return False
        if time.monotonic() - at > self._window.total_seconds():
            del self._accepted[report_id]
            return False
        self._accepted.move_to_end(report_id)
        return True

    def _remember(self, ids: Iterable[str]) -> None:
        if not self._cache_size:
            return
        now, accepted = time.monotonic(), self._accepted
        for report_id in ids:
            if report_id in accepted:
                accepted.move_to_end(report_id)
            accepted[report_id] = now
        while len(accepted) > self._cache_size:
            accepted.popitem(last=False)

    async def claim(self, ids: Sequence[str]) -> Claim:
        """Claims the ids not seen before; raises UnavailableError when PostgreSQL is unreachable."""
        result = Claim()
        mine: dict[str, int] = {}
        in_flight = self._in_flight
        for i, report_id in enumerate(ids):
            if self._cached(report_id):
                result.outcomes[i] = Outcome.DUPLICATE
            elif report_id in in_flight:
                future = in_flight[report_id]
                if future is None:
                    future = in_flight[report_id] = asyncio.get_running_loop().create_future()
                result.waiting[i] = future
            else:
                mine[report_id] = i
                in_flight[report_id] = None
        if not mine:
            return result
        try:
            states = await self._store.claim(list(mine))
        except UnavailableError:
            self._settle(mine, Outcome.UNAVAILABLE)
            raise
        duplicates, held = [], []
        for report_id, i in mine.items():
            state = states[report_id]
            if state is ClaimState.CLAIMED:
                result.outcomes[i] = Outcome.NEW
            elif state is ClaimState.ACCEPTED:
                result.outcomes[i] = Outcome.DUPLICATE
                duplicates.append(report_id)
            else:
                result.outcomes[i] = Outcome.IN_PROGRESS
                held.append(report_id)
        self._remember(duplicates)
        self._settle(duplicates, Outcome.DUPLICATE)
        self._settle(held, Outcome.IN_PROGRESS)
        return result

    def _settle(self, ids: Iterable[str], outcome: Outcome) -> None:
        pop = self._in_flight.pop
        for report_id in ids:
            future = pop(report_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    async def accept(self, ids: Sequence[str]) -> bool:
        """Records ids Kafka acknowledged; False when the record could not be written."""
        self.acknowledged(ids)
        return await self.record(ids)

    def acknowledged(self, ids: Sequence[str]) -> None:
        """Kafka has `ids`: from now on this process answers their copies `duplicate`, until
        (and after) `record` writes them to the store."""
        self._remember(ids)
        self._recording.update(ids)
        self._settle(ids, Outcome.DUPLICATE)

    async def record(self, ids: Sequence[str]) -> bool:
        """Writes ids marked `acknowledged` to the store; False when that could not be written."""
        try:
            await self.record_soon(ids, lambda _ids, _ok: None)
            return True
        except UnavailableError:
            return False

    def record_soon(self, ids: Sequence[str], recorded: Recorded) -> asyncio.Future[object]:
        """`record` in the background, with no task per call: `recorded(ids, ok)` is called once
        the store wrote them (or failed to); the returned future is done by then."""
        written: asyncio.Future[object] = self._store.accept_soon(ids)  # type: ignore[assignment]

        def settle(future: asyncio.Future[object]) -> None:
            self._recording.difference_update(ids)
            recorded(ids, not future.cancelled() and future.exception() is None)

        written.add_done_callback(settle)
        return written

    async def release(self, ids: Sequence[str]) -> None:
        """Gives up claims whose write failed, so that a resend is produced."""
        try:
            await self._store.release(ids)
        except UnavailableError:
            pass  # taken over once this session is gone, or after the claim TTL
        finally:
            self._settle(ids, Outcome.UNAVAILABLE)

    def pending(self, ids: Sequence[str]) -> None:
        """Writes whose outcome is not known yet: copies waiting on them are told to retry."""
        self._settle(ids, Outcome.IN_PROGRESS)

    async def purge(self) -> int:
        """Deletes ids older than the window; returns how many."""
        result = await self._pool.execute(_PURGE, self._window)
        return int(result.split()[-1])
