"""Agents that write the read model to PostgreSQL in batches, off the hot path (the raw reports
and station figures are written by the station and region agents themselves, once per batch,
with `pg_writes.write_with_retry`, so that they never pass through faust a second time).

Each consumes a topic in batches (`take_events`), writes it in one round of upserts, and only
then lets faust acknowledge the batch: a crash replays it, and the guarded upserts make that
harmless. A record PostgreSQL refuses for its content is dead-lettered with its partition and
offset; the rest of the batch lands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from services.aggregator import sink
from services.aggregator.dead_letters import dead_letter
from services.aggregator.pg_writes import Refuse, write_with_retry
from services.aggregator.runtime import Runtime
from services.common.contracts import codec
from services.common.infra.errors import DecodeError

log = logging.getLogger(__name__)
T = TypeVar("T")


def _decoded(events: Sequence[Any], decode: Callable[[bytes], T], what: str) -> list[tuple[T, Any]]:
    out: list[tuple[T, Any]] = []
    for event in events:
        try:
            out.append((decode(event.value), event))
        except DecodeError as exc:  # our own output: a bug, not a monitor's typo
            log.error("skipping undecodable %s: %s", what, exc)
    return out


def _dead_letter_by_origin(rt: Runtime, decoded: list[tuple[T, Any]]) -> Refuse[T]:
    """Dead-letters a refused value as the record it was decoded from."""
    origin = {id(value): event for value, event in decoded}

    async def refuse(value: T, error: str) -> None:
        event = origin[id(value)]
        message = event.message
        payload = bytes(event.value or b"")
        await dead_letter(rt, message.topic, payload, error, message.partition, message.offset)

    return refuse


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
        async for events in stream.take_events(s.sink_batch, within=s.sink_within_ms / 1000):
            decoded = _decoded(events, decode, table)
            if decoded:
                refuse = _dead_letter_by_origin(rt, decoded)
                await write_with_retry(rt, table, [value for value, _ in decoded], write, refuse)

    return run


def figures_sinks(rt: Runtime) -> dict[str, Callable[[Any], Awaitable[None]]]:
    return {
        "region_stats": values_sink(rt, "region_stats", codec.decode_region_stats, sink.write_region_stats),
        "alerts": values_sink(rt, "alerts", codec.decode_alert, sink.write_alerts),
    }
