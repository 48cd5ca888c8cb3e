"""The asyncpg pool every service opens in its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from services.common.infra.settings import SharedSettings, load

T = TypeVar("T")
# A connection of its own or one lent by a pool: both run statements and transactions.
Conn = asyncpg.Connection | PoolConnectionProxy
# Everything a query on a pooled connection may raise when the server or the connection fails,
# besides PostgreSQL's own errors: the socket's, a timeout, and asyncpg's own when the
# connection closed under it (InterfaceError) or its protocol was caught mid-operation by a
# server going away (InternalClientError, "cannot switch to state ...").
QUERY_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# SQLSTATE classes of a lost connection (08) and of a server shutting down (57P).
_CONNECTION_STATES = ("08", "57P")


async def create_pool(shared: SharedSettings) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        shared.database_url.get_secret_value(),
        min_size=shared.db_pool_min,
        max_size=shared.db_pool_max,
        command_timeout=30,
        server_settings={"role": shared.database_role} if shared.database_role else None,
    )
    assert pool is not None  # create_pool only returns None when awaited lazily
    return pool


def connection_failed(exc: BaseException) -> bool:
    """Whether `exc` says the connection failed rather than the statement: after a server
    restart every pooled connection is dead, so the pool should replace them all."""
    if isinstance(exc, asyncpg.PostgresError):
        return (exc.sqlstate or "").startswith(_CONNECTION_STATES)
    if isinstance(exc, asyncpg.InterfaceError):
        return not isinstance(exc, ValueError)  # asyncpg refusing a value is about the value
    return isinstance(exc, (OSError, TimeoutError, asyncpg.InternalClientError))


async def database_reachable(pool: asyncpg.Pool) -> bool:
    try:
        async with pool.acquire(timeout=2) as conn:
            return bool(await conn.fetchval("SELECT true"))
    except QUERY_ERRORS:
        return False


def run_with_connection(action: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """For command-line tools: one connection from the environment's settings, `action`, close."""

    async def run() -> T:
        conn = await asyncpg.connect(load(SharedSettings).database_url.get_secret_value())
        try:
            return await action(conn)
        finally:
            await conn.close()

    return asyncio.run(run())
