"""Resolving presented API keys to principals, with a short cache so revocations land quickly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import asyncpg

from services.api.auth import Principal, Role, parse_key, secret_matches
from services.api.availability import database_error, database_unavailable
from services.api.errors import UnauthenticatedError
from services.api.repository import keys

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Entry:
    key_hash: str
    principal: Principal
    revoked: bool
    fetched_at: float


class KeyStore:
    """Looks keys up by id; an entry is trusted for `ttl` seconds, then read again."""

    def __init__(
        self, pool: asyncpg.Pool, ttl: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._pool = pool
        self._ttl = ttl
        self._monotonic = monotonic
        self._cache: dict[str, _Entry] = {}
        self._pending: dict[str, asyncio.Future[_Entry | None]] = {}

    def _fresh(self, key_id: str) -> _Entry | None:
        cached = self._cache.get(key_id)
        if cached is not None and self._monotonic() - cached.fetched_at < self._ttl:
            return cached
        return None

    async def _entry(self, key_id: str) -> _Entry | None:
        cached = self._fresh(key_id)
        if cached is not None:
            return cached
        # One lookup per key at a time: when the entry expires, the thousands of subscriptions
        # open under one key wait for a single query instead of each sending its own.
        try:
            return await asyncio.shield(self._start_load(key_id))
        except Exception as exc:
            if database_unavailable(exc):
                raise database_error() from None
            raise

    def _start_load(self, key_id: str) -> asyncio.Future[_Entry | None]:
        pending = self._pending.get(key_id)
        if pending is None:
            pending = asyncio.ensure_future(self._load(key_id))
            self._pending[key_id] = pending
            pending.add_done_callback(lambda done: self._loaded(key_id, done))
        return pending

    def _loaded(self, key_id: str, done: asyncio.Future[_Entry | None]) -> None:
        self._pending.pop(key_id, None)
        if not done.cancelled() and (exc := done.exception()) is not None:
            # Waiters (if any) get the error; a background refresh only logs it and the next
            # check after the TTL queries again.
            log.warning("API key lookup failed: %s", type(exc).__name__)

    async def _load(self, key_id: str) -> _Entry | None:
        now = self._monotonic()
        try:
            row = await keys.key_by_id(self._pool, key_id)
        except Exception as exc:
            stale = self._cache.get(key_id)
            if stale is None or not database_unavailable(exc):
                raise
            # PostgreSQL is unreachable: its last answer stands for another TTL (a revocation
            # lands once it answers again), so live subscriptions, which need only Kafka, go on.
            log.debug("API key lookup failed (%s); keeping the last answer", type(exc).__name__)
            self._cache[key_id] = replace(stale, fetched_at=now)
            return stale
        if row is None:
            self._cache.pop(key_id, None)
            return None
        entry = _Entry(
            key_hash=row["key_hash"],
            principal=Principal(
                key_id=row["id"],
                role=Role(row["role"]),
                org=row["org"],
                incident_texts=row["incident_texts"],
                verified_only=row["verified_only"],
                regions=None if row["regions"] is None else frozenset(row["regions"]),
            ),
            revoked=row["revoked_at"] is not None,
            fetched_at=now,
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_id] = entry
        return entry

    async def authenticate(self, token: str) -> Principal:
        """The principal for `token`, or UnauthenticatedError (unknown, wrong or revoked key)."""
        key_id, secret = parse_key(token)
        entry = await self._entry(key_id)
        if entry is None or not secret_matches(secret, entry.key_hash):
            raise UnauthenticatedError("unknown API key")
        if entry.revoked:
            raise UnauthenticatedError("API key revoked")
        return entry.principal

    def known_active(self, principal: Principal) -> bool:
        """True when the cache alone says the key is still active (anonymous too), without waiting.

        False means unknown or revoked: call `ensure_active`. Open subscriptions call this per
        message, so the common case costs no coroutine and no future.
        """
        if not principal.key_id:
            return True
        entry = self._fresh(principal.key_id)
        if entry is None or entry.revoked:
            return False
        if self._monotonic() - entry.fetched_at >= self._ttl / 2:
            # Refresh ahead, in the background: open subscriptions keep using the entry, still
            # within its TTL, instead of all stopping on one query each time it expires.
            self._start_load(principal.key_id)
        return True

    async def ensure_active(self, principal: Principal) -> None:
        """Raises UnauthenticatedError if the principal's key has been revoked since (anonymous passes)."""
        if self.known_active(principal):
            return
        assert principal.key_id
        entry = self._fresh(principal.key_id) or await self._entry(principal.key_id)
        if entry is None or entry.revoked:
            raise UnauthenticatedError("API key revoked")
