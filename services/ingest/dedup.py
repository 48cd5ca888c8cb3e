"""Recognising resends: report ids claimed before, and recorded after, Kafka has them.

Store: the PostgreSQL table `ingest_dedup` (migration 0004) holds every id for the window
(INGEST_DEDUP_WINDOW_HOURS, default 72 h), shared by replicas and kept across restarts, and
written by group commit (`dedup_store`); an in-process LRU of accepted ids
(INGEST_DEDUP_CACHE_SIZE) answers most resends without a round trip. An id is *claimed* (a
row without accepted_at) before it is produced and *accepted* only once Kafka acknowledged
it; a failed write releases the claim. Concurrent copies of one id, in one batch or in
flight in this process, wait for the first; a copy in flight on another replica is answered
`in_progress` (retry). See docs/ingest.md."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import asyncpg

from services.ingest.dedup_store import ClaimState, DedupStore
from services.ingest.errors import UnavailableError

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
        self._in_flight: dict[str, asyncio.Future[Outcome]] = {}

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

    def _remember(self, report_id: str) -> None:
        if self._cache_size:
            self._accepted[report_id] = time.monotonic()
            self._accepted.move_to_end(report_id)
            while len(self._accepted) > self._cache_size:
                self._accepted.popitem(last=False)

    async def claim(self, ids: Sequence[str]) -> Claim:
        """Claims the ids not seen before; raises UnavailableError when PostgreSQL is unreachable."""
        result = Claim()
        mine: dict[str, int] = {}
        loop = asyncio.get_running_loop()
        for i, report_id in enumerate(ids):
            if self._cached(report_id):
                result.outcomes[i] = Outcome.DUPLICATE
            elif report_id in self._in_flight:
                result.waiting[i] = self._in_flight[report_id]
            else:
                mine[report_id] = i
                self._in_flight[report_id] = loop.create_future()
        if not mine:
            return result
        try:
            states = await self._store.claim(list(mine))
        except UnavailableError:
            self._settle({i: Outcome.UNAVAILABLE for i in mine})
            raise
        settled = {}
        for report_id, i in mine.items():
            state = states[report_id]
            if state is ClaimState.CLAIMED:
                result.outcomes[i] = Outcome.NEW
                continue
            outcome = Outcome.DUPLICATE if state is ClaimState.ACCEPTED else Outcome.IN_PROGRESS
            result.outcomes[i] = settled[report_id] = outcome
            if outcome is Outcome.DUPLICATE:
                self._remember(report_id)
        self._settle(settled)
        return result

    def _settle(self, outcomes: dict[str, Outcome]) -> None:
        for report_id, outcome in outcomes.items():
            future = self._in_flight.pop(report_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    async def accept(self, ids: Sequence[str]) -> bool:
        """Records ids Kafka acknowledged; False when the record could not be written."""
        for report_id in ids:
            self._remember(report_id)
        self._recording.update(ids)
        self._settle({i: Outcome.DUPLICATE for i in ids})
        try:
            await self._store.accept(ids)
            return True
        except UnavailableError:
            return False
        finally:
            self._recording.difference_update(ids)

    async def release(self, ids: Sequence[str]) -> None:
        """Gives up claims whose write failed, so that a resend is produced."""
        try:
            await self._store.release(ids)
        except UnavailableError:
            pass  # the claim expires after the claim TTL
        finally:
            self._settle({i: Outcome.UNAVAILABLE for i in ids})

    def pending(self, ids: Sequence[str]) -> None:
        """Writes whose outcome is not known yet: copies waiting on them are told to retry."""
        self._settle({i: Outcome.IN_PROGRESS for i in ids})

    async def purge(self) -> int:
        """Deletes ids older than the window; returns how many."""
        result = await self._pool.execute(_PURGE, self._window)
        return int(result.split()[-1])
