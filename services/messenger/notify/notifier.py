"""The notifier's workers: claim the next due notification, post or text it, record the outcome;
and the housekeeping that takes back notifications a dead process left `sending`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

import asyncpg
import httpx

from services.messenger.delivery_state import Backoff
from services.messenger.gateways.base import OutboundGateway
from services.messenger.housekeeping import STORE_DOWN, housekeeping
from services.messenger.metrics import MessengerMetrics
from services.messenger.notify import sms, store, webhook
from services.messenger.notify.attempts import Attempt, State, after_attempt
from services.messenger.notify.payload import digest_text
from services.messenger.notify.routing import Channel
from services.messenger.rate import TokenBucket
from services.messenger.settings import MessengerSettings

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        pool: asyncpg.Pool,
        client: httpx.AsyncClient,
        gateway: OutboundGateway,
        limiter: TokenBucket,
        settings: MessengerSettings,
        metrics: MessengerMetrics,
        owner: str,
        rng: random.Random | None = None,
    ) -> None:
        self._pool = pool
        self._client = client
        self._gateway = gateway
        self._limiter = limiter  # the gateway's, shared with the broadcasts' sender
        self._settings = settings
        self._metrics = metrics
        self._owner = owner
        self._rng = rng or random.Random()
        self._backoff = Backoff(settings.notify_backoff_base_seconds, settings.notify_backoff_max_seconds)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._housekeeping())
            for _ in range(self._settings.notify_concurrency):
                group.create_task(self._worker())

    async def _worker(self) -> None:
        while True:
            try:
                due = await store.claim_next(self._pool, self._owner)
            except STORE_DOWN as exc:
                log.warning("notifier: cannot claim notifications (%s)", exc.__class__.__name__)
                await asyncio.sleep(self._settings.poll_seconds)
                continue
            if due is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
                continue
            attempt = await self._send(due)
            await self._record(due, attempt)

    async def _send(self, due: store.Due) -> Attempt:
        if due.channel is Channel.WEBHOOK:
            assert due.secret is not None  # a webhook subscription always has one (0023_notify)
            return await webhook.post(self._client, due.target, due.secret, due.delivery_id, due.body)
        self._metrics.rate_wait.inc(await self._limiter.acquire())
        body = digest_text(due.digest_stations, due.language) if due.digest_stations else due.body
        return await sms.text(self._gateway, f"alert-{due.delivery_id}", due.target, body)

    async def _record(self, due: store.Due, attempt: Attempt) -> None:
        outcome = after_attempt(
            attempt, due.attempts, self._settings.notify_max_attempts, self._backoff, self._rng
        )
        delay = 0.5
        while True:
            try:
                await store.record(self._pool, due, self._owner, outcome, attempt.status)
                break
            except STORE_DOWN as exc:
                log.warning("notifier: cannot record (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        self._metrics.notifications.labels(due.channel.value, outcome.state.value).inc(len(due.keys))
        if outcome.state is State.DEAD:
            log.warning("notification %s dead: %s", due.delivery_id, outcome.error)

    async def _housekeeping(self) -> None:
        await housekeeping(
            "notifications",
            lambda: store.take_back_interrupted(
                self._pool, self._settings.send_lease_seconds, self._gateway.idempotent
            ),
            lambda: store.counts(self._pool),
            (state.value for state in State),
            self._metrics.notifications_by_state,
            self._metrics.notifications_interrupted,
            self.wake,
            self._settings.send_lease_seconds,
        )
