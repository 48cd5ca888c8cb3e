"""The station registry held in memory (id -> registered voters), reloaded periodically.

A registry load notifies (services/common/registry/registry_events.py) and the cache reloads at once;
it also reloads every INGEST_REGISTRY_REFRESH_SECONDS. An unknown station is never accepted.
"""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from services.common.registry.registry_events import reload_on_change


class StationCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.registered: Mapping[str, int] = {}

    async def refresh(self) -> int:
        rows = await self._pool.fetch("SELECT id, registered_voters FROM stations")
        self.registered = {r["id"]: r["registered_voters"] for r in rows}
        return len(self.registered)

    async def keep_fresh(self, every: float) -> None:
        """Reloads on every registry change and every `every` seconds, until cancelled."""
        await reload_on_change(self._pool, self.refresh, every)
