"""The station registry held in memory (id -> registered voters), reloaded periodically.

Stations rarely change on election day; a station added to the registry is known to ingest
within INGEST_REGISTRY_REFRESH_SECONDS. An unknown station is never accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import asyncpg

log = logging.getLogger(__name__)


class StationCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.registered: Mapping[str, int] = {}

    async def refresh(self) -> int:
        rows = await self._pool.fetch("SELECT id, registered_voters FROM stations")
        self.registered = {r["id"]: r["registered_voters"] for r in rows}
        return len(self.registered)

    async def keep_fresh(self, every: float) -> None:
        """Reloads forever; a failed reload keeps the previous registry."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh()
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("station registry reload failed: %s", exc.__class__.__name__)
