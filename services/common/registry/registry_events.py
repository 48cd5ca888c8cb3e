"""Telling running services that the station registry changed (PostgreSQL LISTEN/NOTIFY).

`pollwatch stations load` and `pollwatch replay` notify once their transaction commits; ingest
and the aggregator reload at once instead of rejecting or mislabelling a new station's reports
until their next periodic reload. Monitors notify on MONITORS_CHANNEL from a trigger (migration
0014): ingest then forgets its cached monitors, so a phone swap takes effect at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from services.common.infra.db import QUERY_ERRORS

CHANNEL = "pollwatch_registry"
MONITORS_CHANNEL = "pollwatch_monitors"
log = logging.getLogger(__name__)


async def notify_registry_changed(conn: asyncpg.Connection) -> None:
    """Inside a transaction, delivered when it commits (and not at all if it rolls back)."""
    await conn.execute(f"NOTIFY {CHANNEL}")


async def reload_on_change(
    pool: asyncpg.Pool,
    reload: Callable[[], Awaitable[object]],
    fallback_every: float,
    channel: str = CHANNEL,
) -> None:
    """Calls `reload` on every notification on `channel`, and every `fallback_every` seconds regardless.

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
                await conn.add_listener(channel, on_notify)
                try:
                    while not conn.is_closed():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(changed.wait(), fallback_every)
                        changed.clear()
                        await _reload(reload)
                finally:
                    if not conn.is_closed():
                        await conn.remove_listener(channel, on_notify)
        except QUERY_ERRORS as exc:
            if pool.is_closing():
                return
            log.warning("%s listener lost (%s); retrying", channel, exc.__class__.__name__)
            await asyncio.sleep(fallback_every)
            await _reload(reload)


async def _reload(reload: Callable[[], Awaitable[object]]) -> None:
    try:
        await reload()
    except QUERY_ERRORS as exc:
        log.warning("reload after a change failed: %s", exc.__class__.__name__)
