"""Pre-serialized records straight to faust's producer, and table writes done the same way.

faust's `Topic.send` and `Table.__setitem__` cost a FutureMessage, a channel hop and, for tables,
one trip through the single-file ProducerBuffer per record; at thousands of records per batch
that, not the domain, was the bottleneck ("producer buffer full"). These write the same records
through `app.producer.send` (aiokafka's accumulator, batched per partition). faust still flushes
the producer before it commits offsets, so the at-least-once guarantee is unchanged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Iterable
from typing import Any, cast

import faust
from faust.types import TP

from services.aggregator.event_context import within

log = logging.getLogger(__name__)


def _check(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled() and fut.exception() is not None:
        log.error("producing a record failed: %r", fut.exception())


async def send(app: faust.App, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
    """Queues one record; a delivery failure is logged (the figures are re-sent with the
    station's next batch, and after a restart)."""
    fut = cast(asyncio.Future[Any], await app.producer.send(topic, key, value, partition, None, None))
    fut.add_done_callback(_check)


async def write_table(table: Any, rows: Iterable[tuple[Any, bytes, bytes]]) -> None:
    """Writes (event, key, value) rows to a faust table: the local store within each event's
    partition and the changelog record to that partition, as `table[key] = value` would; the
    changelog offset is persisted once per partition, after its last record is delivered."""
    topic = table.changelog_topic.get_topic_name()
    last: dict[int, asyncio.Future[Any]] = {}
    for event, key, value in rows:
        partition = event.message.partition
        with within(event):
            table.data[key] = value
        fut = cast(
            asyncio.Future[Any], await table.app.producer.send(topic, key, value, partition, None, None)
        )
        fut.add_done_callback(_check)
        last[partition] = fut
    for partition, fut in last.items():
        fut.add_done_callback(functools.partial(_persist, table, TP(topic, partition)))


def _persist(table: Any, tp: TP, fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled() and fut.exception() is None:
        table.data.set_persisted_offset(tp, fut.result().offset)
