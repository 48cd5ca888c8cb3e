"""Agents that write the read model to PostgreSQL in batches, off the hot path (the raw reports
and station figures are written by the station and region agents themselves, once per batch,
with `write_with_retry`, so that they never pass through faust a second time).

Each consumes a topic in batches (`take`), writes it in one round of upserts, and only then lets
faust acknowledge the batch: a crash replays it, and the guarded upserts make that harmless.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg

from services.aggregator import metrics, sink
from services.aggregator.runtime import Runtime
from services.common import codec
from services.common.errors import DecodeError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MAX_BACKOFF_S = 10.0


async def write_with_retry(
    rt: Runtime,
    table: str,
    batch: Sequence[T],
    write: Callable[[sink.Conn, Sequence[T]], Awaitable[None]],
) -> None:
    """Writes a batch, retrying transport and server errors with backoff until it lands."""

    async def attempt(conn: sink.Conn) -> None:
        started = time.monotonic()
        await write(conn, batch)
        metrics.SINK_SECONDS.labels(table).observe(time.monotonic() - started)

    await with_retry(rt, f"writing {len(batch)} rows to {table}", attempt)
    metrics.SINK_ROWS.labels(table).inc(len(batch))


async def with_retry(rt: Runtime, what: str, call: Callable[[sink.Conn], Awaitable[R]]) -> R:
    """`call` on a pooled connection, retrying transport and server errors with backoff."""
    delay = 0.2
    while True:
        assert rt.pool is not None
        try:
            async with rt.pool.acquire() as conn:
                return await call(conn)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            metrics.SINK_ERRORS.inc()
            log.warning("%s failed, retrying in %.1fs: %s", what, delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_S)


def _decoded(values: Sequence[bytes], decode: Callable[[bytes], T], what: str) -> list[T]:
    out: list[T] = []
    for value in values:
        try:
            out.append(decode(value))
        except DecodeError as exc:  # our own output: a bug, not a monitor's typo
            log.error("skipping undecodable %s: %s", what, exc)
    return out


def values_sink(
    rt: Runtime,
    table: str,
    decode: Callable[[bytes], T],
    write: Callable[[sink.Conn, Sequence[T]], Awaitable[None]],
) -> Callable[[Any], Awaitable[None]]:
    """An agent body writing a topic of figures or alerts to `table`."""

    async def run(stream: Any) -> None:
        await rt.ready.wait()
        s = rt.settings
        async for values in stream.take(s.sink_batch, within=s.sink_within_ms / 1000):
            batch = _decoded(values, decode, table)
            if batch:
                await write_with_retry(rt, table, batch, write)

    return run


def figures_sinks(rt: Runtime) -> dict[str, Callable[[Any], Awaitable[None]]]:
    return {
        "region_stats": values_sink(rt, "region_stats", codec.decode_region_stats, sink.write_region_stats),
        "alerts": values_sink(rt, "alerts", codec.decode_alert, sink.write_alerts),
    }
