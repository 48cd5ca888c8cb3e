"""The sender: workers that claim due deliveries one at a time, at the gateway's rate, send each
and record the answer; and the housekeeping that takes back deliveries a dead process left.

A delivery is claimed (`sending`, in PostgreSQL) before its text leaves and recorded after the
gateway answered, so a crash at any point leaves it either not sent (`queued`), in flight
(`sending`, taken back after the lease) or recorded: never sent twice (delivery_state.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time

import asyncpg

from services.common.contracts import events as ev
from services.common.monitors.changes import issue_tokens
from services.common.monitors.tokens import login_link
from services.messenger import deliveries
from services.messenger.deliveries import Due
from services.messenger.delivery_state import Backoff, State, Transition, after_send
from services.messenger.gateways.base import Outbound, OutboundGateway, Retry, send_id
from services.messenger.housekeeping import STORE_DOWN, housekeeping
from services.messenger.metrics import MessengerMetrics
from services.messenger.rate import TokenBucket
from services.messenger.settings import MessengerSettings
from services.messenger.texts import render

log = logging.getLogger(__name__)


class Sender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        gateway: OutboundGateway,
        settings: MessengerSettings,
        metrics: MessengerMetrics,
        owner: str,
        limiter: TokenBucket | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._pool = pool
        self._gateway = gateway
        self._settings = settings
        self._metrics = metrics
        self._owner = owner
        self._limiter = limiter or TokenBucket(settings.rate_per_second, settings.burst)
        self._rng = rng or random.Random()
        self._backoff = Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds)
        self._link_base = str(settings.shared.ingest_public_url)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New deliveries are queued: idle workers look at once instead of at their next poll."""
        self._wake.set()

    async def run(self) -> None:
        """The workers and the housekeeping, until cancelled."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._housekeeping())
            for _ in range(self._settings.concurrency):
                group.create_task(self._worker())

    async def _worker(self) -> None:
        while True:
            self._metrics.rate_wait.inc(await self._limiter.acquire())
            try:
                due = await deliveries.claim_next(self._pool, self._owner)
            except STORE_DOWN as exc:
                log.warning("messenger: cannot claim deliveries (%s)", exc.__class__.__name__)
                await asyncio.sleep(self._settings.poll_seconds)
                continue
            if due is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
                continue
            transition = await self._send(due)
            await self._record(due, transition)

    async def _send(self, due: Due) -> Transition:
        if not due.active:
            return Transition(State.FAILED, error="monitor revoked")
        if due.phone is None:
            return Transition(State.FAILED, error="monitor has no phone")
        link = ""
        if due.kind is ev.BroadcastKind.CREDENTIALS:
            async with self._pool.acquire() as conn:
                tokens = await issue_tokens(conn, [due.monitor_id], f"messenger:{due.broadcast_id}")
            if not tokens:
                return Transition(State.FAILED, error="monitor revoked")
            link = login_link(self._link_base, tokens[due.monitor_id])
        text = render(due.kind, due.text, due.translations, due.language, link)
        started = time.perf_counter()
        outcome = await self._gateway.send(
            Outbound(send_id(due.broadcast_id, due.monitor_id), due.phone, text)
        )
        self._metrics.gateway_duration.labels(self._gateway.name).observe(time.perf_counter() - started)
        if isinstance(outcome, Retry) and outcome.after:
            self._limiter.pause(outcome.after)
        return after_send(
            outcome,
            due.attempts,
            self._settings.max_attempts,
            self._gateway.idempotent,
            self._backoff,
            self._rng,
        )

    async def _record(self, due: Due, transition: Transition) -> None:
        """Records the answer, retrying while PostgreSQL is away: a delivery left `sending`
        would otherwise be taken back and, with an idempotent gateway, sent again (harmless,
        but a second request)."""
        delay = 0.5
        while True:
            try:
                await deliveries.record(self._pool, due, self._owner, transition)
                break
            except STORE_DOWN as exc:
                log.warning("messenger: cannot record a delivery (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        self._metrics.sends.labels(transition.state.value).inc()
        if transition.state is State.FAILED:
            log.info("delivery %s.%s failed: %s", due.broadcast_id, due.monitor_id, transition.error)

    async def _housekeeping(self) -> None:
        await housekeeping(
            "deliveries",
            lambda: deliveries.take_back_interrupted(
                self._pool, self._settings.send_lease_seconds, self._gateway.idempotent
            ),
            lambda: deliveries.counts(self._pool),
            (state.value for state in State),
            self._metrics.deliveries,
            self._metrics.interrupted,
            self.wake,
            self._settings.send_lease_seconds,
        )
