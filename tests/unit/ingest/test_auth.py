"""A monitor store that breaks mid-request (PostgreSQL restarting) is answered as unavailable
(503, retry), never as an internal error."""

from __future__ import annotations

from typing import Any, cast

import asyncpg
import pytest

from services.ingest.auth import Authenticator
from services.ingest.errors import UnavailableError


class BrokenPool:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def fetchrow(self, *args: Any) -> None:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        # asyncpg, on a pooled connection PostgreSQL closed during a restart (seen by tests/faults).
        asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        ConnectionRefusedError(111, "Connect call failed"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_broken_monitor_store_is_unavailable(error: Exception) -> None:
    auth = Authenticator(cast(asyncpg.Pool, BrokenPool(error)), cache_seconds=5)
    with pytest.raises(UnavailableError):
        await auth.by_token("a-token")
    with pytest.raises(UnavailableError):
        await auth.by_phone("+77011234567")
