"""Telling running services that the station registry changed (PostgreSQL LISTEN/NOTIFY).

`pollwatch stations load` and `pollwatch replay` notify once their transaction commits; ingest
and the aggregator reload at once instead of rejecting or mislabelling a new station's reports
until their next periodic reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

CHANNEL = "pollwatch_registry"
log = logging.getLogger(__name__)


async def notify_registry_changed(conn: asyncpg.Connection) -> None:
    """Inside a transaction, delivered when it commits (and not at all if it rolls back)."""
    await conn.execute(f"NOTIFY {CHANNEL}")


async def reload_on_change(
    pool: asyncpg.Pool, reload: Callable[[], Awaitable[object]], fallback_every: float
) -> None:
    """Calls `reload` on every notification, and every `fallback_every` seconds regardless.

    Holds one pool connection for LISTEN and runs until cancelled or the pool is closed (a
    service shutting down closes it first; retrying then kept the process from exiting). A
    failed reload keeps the previous registry; a lost connection is replaced, with the periodic
    reload meanwhile.
    """
    changed = asyncio.Event()

    def on_notify(*_: object) -> None:
        changed.set()

    while not pool.is_closing():
        try:
            async with pool.acquire() as conn:
                await conn.add_listener(CHANNEL, on_notify)
                try:
                    while not conn.is_closed():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(changed.wait(), fallback_every)
                        changed.clear()
                        await _reload(reload)
                finally:
                    if not conn.is_closed():
                        await conn.remove_listener(CHANNEL, on_notify)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            if pool.is_closing():
                return
            log.warning("registry listener lost (%s); retrying", exc.__class__.__name__)
            await asyncio.sleep(fallback_every)
            await _reload(reload)


async def _reload(reload: Callable[[], Awaitable[object]]) -> None:
    try:
        await reload()
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        log.warning("station registry reload failed: %s", exc.__class__.__name__)
