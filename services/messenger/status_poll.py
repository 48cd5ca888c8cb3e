"""Asking the gateway for statuses, for a gateway that calls none back (RapidPro): every
`MESSENGER_STATUS_POLL_SECONDS`, the deliveries sent but not settled, least recently asked
about first, at most a batch a round, within the gateway's rate limit (the same token bucket
as the sends: one API, one limit)."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import asyncpg

from services.messenger import deliveries
from services.messenger.gateways.base import CallbackError, Retry, StatusReport
from services.messenger.housekeeping import STORE_DOWN
from services.messenger.metrics import MessengerMetrics
from services.messenger.rate import TokenBucket

log = logging.getLogger(__name__)
BATCH = 200


class PolledGateway(Protocol):
    async def poll_status(self, gateway_id: str) -> StatusReport | Retry | None: ...


class StatusPoller:
    def __init__(
        self,
        pool: asyncpg.Pool,
        gateway: PolledGateway,
        limiter: TokenBucket,
        metrics: MessengerMetrics,
        every_seconds: float,
    ) -> None:
        self._pool = pool
        self._gateway = gateway
        self._limiter = limiter
        self._metrics = metrics
        self._every = every_seconds

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except STORE_DOWN as exc:
                log.warning("messenger: cannot poll statuses (%s)", exc.__class__.__name__)
            await asyncio.sleep(self._every)

    async def poll_once(self) -> int:
        """One round; returns how many deliveries moved forward."""
        applied = 0
        for gateway_id in await deliveries.awaiting_status(self._pool, self._every, BATCH):
            self._metrics.rate_wait.inc(await self._limiter.acquire())
            try:
                report = await self._gateway.poll_status(gateway_id)
            except CallbackError as exc:
                log.warning("messenger: unreadable status for %s: %s", gateway_id, exc)
                report = None
            if isinstance(report, Retry):
                self._metrics.status_polls.labels("unavailable").inc()
                if report.after:
                    self._limiter.pause(report.after)
                break  # the gateway is away or busy: the next round asks again
            if report is None or report.status is None:
                self._metrics.status_polls.labels("unchanged").inc()
                await deliveries.touch(self._pool, gateway_id)
                continue
            async with self._pool.acquire() as conn:
                result = await deliveries.apply_status(conn, report)
            applied += result.applied
            self._metrics.status_polls.labels("applied" if result.applied else "unchanged").inc()
        return applied
