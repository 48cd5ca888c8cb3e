"""Who is calling: monitors by bearer token (HTTP) or registered phone (SMS), briefly cached.

Tokens are hashed before any look-up and never logged; the stored hash is compared in
constant time. Every change to the monitors tables notifies (migration 0017) and the cache is
forgotten at once (`forget`), so a revocation, a phone swap or a new token takes effect
immediately; the cache's lifetime (INGEST_AUTH_CACHE_SECONDS) bounds it only while the
listening connection is down.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

import asyncpg

from services.common.monitors.tokens import hash_token
from services.ingest.errors import UnavailableError
from services.ingest.monitors import Executor, Monitor, monitor_by_phone, monitor_by_token_hash

MAX_CACHED = 50_000
# What a pooled connection raises while PostgreSQL is down or restarting: asyncpg's interface
# errors too ("connection is closed", "cannot switch to state ..." on a connection the server
# closed mid-request), not only the server's and the socket's.
STORE_DOWN = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    TimeoutError,
)
Lookup = Callable[[Executor, str], Awaitable[Monitor | None]]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class Authenticator:
    def __init__(self, pool: asyncpg.Pool, cache_seconds: float) -> None:
        self._pool = pool
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, Monitor | None]] = {}
        # Bumped by forget(): a look-up that began before a change must not cache its answer.
        self._generation = 0

    def forget(self) -> None:
        """Drops every cached answer (the monitors changed)."""
        self._generation += 1
        self._cache.clear()

    async def forget_all(self) -> None:
        self.forget()

    async def _lookup(self, key: str, fetch: Lookup, value: str) -> Monitor | None:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        generation = self._generation
        try:
            monitor = await fetch(self._pool, value)
        except STORE_DOWN as exc:
            raise UnavailableError("monitor store unreachable") from exc
        if self._ttl > 0 and generation == self._generation:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[key] = (now + self._ttl, monitor)
        return monitor

    async def by_token(self, token: str) -> Monitor | None:
        """The active monitor holding `token`, or None."""
        digest = hash_token(token)
        monitor = await self._lookup("t:" + digest, monitor_by_token_hash, digest)
        if (
            monitor is None
            or monitor.token_hash is None
            or not hmac.compare_digest(monitor.token_hash, digest)
        ):
            return None
        return monitor

    async def by_phone(self, phone: str) -> Monitor | None:
        """The active monitor registered with this E.164 phone, or None."""
        monitor = await self._lookup("p:" + phone, monitor_by_phone, phone)
        if monitor is None or monitor.phone is None or not hmac.compare_digest(monitor.phone, phone):
            return None
        return monitor
