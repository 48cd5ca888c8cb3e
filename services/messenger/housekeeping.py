"""The loop both the sender and the notifier run beside their workers: take back what a dead
process left `sending` (at start, then every quarter lease) and refresh the per-state gauge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

import asyncpg
from prometheus_client import Counter, Gauge

log = logging.getLogger(__name__)
GAUGES_EVERY_SECONDS = 5.0
# What PostgreSQL being down or restarting raises through a pool.
STORE_DOWN = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


async def housekeeping(
    what: str,
    take_back: Callable[[], Awaitable[int]],
    counts: Callable[[], Awaitable[dict[str, int]]],
    states: Iterable[str],
    gauge: Gauge,
    interrupted: Counter,
    wake: Callable[[], None],
    lease_seconds: float,
) -> None:
    """Runs until cancelled; `what` names the rows in the log ("deliveries", "notifications")."""
    every = min(lease_seconds / 4, GAUGES_EVERY_SECONDS)
    states = tuple(states)
    while True:
        try:
            if taken := await take_back():
                interrupted.inc(taken)
                log.warning("messenger: %d %s interrupted while sending taken back", taken, what)
                wake()
            for state in states:
                gauge.labels(state).set(0)
            for name, n in (await counts()).items():
                gauge.labels(name).set(n)
        except STORE_DOWN as exc:
            log.warning("messenger: housekeeping of %s failed (%s)", what, exc.__class__.__name__)
        await asyncio.sleep(every)
