"""The aggregator's dead letters: what it could not process, kept on the dead-letter topic.

Two kinds: a record it cannot decode, and a row PostgreSQL refused for its content
(pg_writes.py). `source` is the topic the record was read from, with its partition and
offset, or for figures the aggregator computed itself the topic they are published on, with
partition and offset -1 (or the read-model table, for the forensics figures, which have none).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.aggregator import metrics
from services.aggregator.runtime import Runtime
from services.common.contracts import codec, topics
from services.common.contracts import events as ev

log = logging.getLogger(__name__)
# Partition and offset of a dead letter that was not read from a topic.
NOT_READ = -1


async def dead_letter(
    rt: Runtime, source: str, payload: bytes, error: str, partition: int = NOT_READ, offset: int = NOT_READ
) -> None:
    """Sends a dead letter and waits until Kafka has it (the caller then acks what it replaces)."""
    metrics.DEAD_LETTERS.labels(source).inc()
    log.warning("dead-lettered %s[%d]@%d: %s", source, partition, offset, error)
    letter = ev.DeadLetter(
        source=source,
        partition=partition,
        offset=offset,
        payload=payload,
        error=error,
        failed_at=datetime.now(UTC),
    )
    value = codec.encode_dead_letter(letter)
    await (await rt.topic(topics.DEAD_LETTER).send(key=source.encode(), value=value))


async def refused_figures(rt: Runtime, row: ev.StationStats, error: str) -> None:
    """Station figures PostgreSQL refused: dead-lettered as published (the topic has them too)."""
    source = rt.topic(topics.STATION_STATS).get_topic_name()
    await dead_letter(rt, source, codec.encode_station_stats(row), error)
