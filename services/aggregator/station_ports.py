"""What the station agent delivers to, as ports (the agent takes them in its constructor), and
their faust, Kafka and PostgreSQL implementations.

Each port either returns once its delivery is done or raises; none acknowledges anything. A
unit test hands the agent fakes of these (tests/unit/aggregator/test_station_agent.py).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

import faust

from services.aggregator import output, sink, summaries
from services.aggregator.dead_letters import dead_letter, refused_figures
from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.domain.station_batch import DeadLetter, ReadReport
from services.aggregator.event_context import within
from services.aggregator.faust_tuning import rocksdb_options
from services.aggregator.pg_writes import write_with_retry
from services.aggregator.runtime import Runtime
from services.aggregator.slices import sliced
from services.common.contracts import codec, topics
from services.common.contracts import events as ev

# A station's state to write: the event of its newest report (the write goes to that event's
# partition), the station's id and its encoded state.
StateRow = tuple[Any, str, bytes]


class Delivery(Protocol):
    async def delivered(self) -> None:
        """Returns once Kafka has every record sent; raises `output.DeliveryError` if not."""


class Outbox(Protocol):
    async def publish(self, alerts: Sequence[ev.Alert], figures: Sequence[tuple[str, bytes]]) -> Delivery:
        """Sends alert transitions and (station id, encoded figures) to their topics."""


class StateTable(Protocol):
    def get(self, station_id: str, event: Any) -> bytes | None:
        """A station's stored state, read in `event`'s partition."""

    def items(self) -> Iterable[tuple[bytes, bytes]]:
        """Every state held locally."""

    async def save(self, rows: Sequence[StateRow]) -> None:
        """Writes the rows and returns once their changelog records are delivered."""


class ReadModel(Protocol):
    async def write_reports(self, reports: Sequence[ReadReport]) -> None:
        """The raw reports to PostgreSQL (a row refused for its content is dead-lettered)."""

    async def write_figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        """Figures (and their encoded `values`, in the same order) to PostgreSQL."""


class RegionFeed(Protocol):
    async def figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        """Hands figures on (the region agent, the forensics forwarder)."""

    async def marks(self, marks: Sequence[PartitionMark]) -> None:
        """Says how far a batch read its partitions (after the figures of its reports)."""


class DeadLetters(Protocol):
    async def send(self, letters: Sequence[DeadLetter]) -> None:
        """Returns once Kafka has every letter."""


class Acker(Protocol):
    def hold(self, events: Sequence[Any]) -> None:
        """Keeps the events' offsets from being committed until `ack`."""

    def ack(self, events: Sequence[Any]) -> None:
        """Releases what `hold` kept: the offsets may be committed."""


class FaustAcker:
    """faust commits an offset once every reference to its message is released (acked)."""

    def hold(self, events: Sequence[Any]) -> None:
        for event in events:
            event.message.incref()

    def ack(self, events: Sequence[Any]) -> None:
        for event in events:
            event.ack()


class KafkaOutbox:
    def __init__(self, app: faust.App, rt: Runtime) -> None:
        self.app, self.rt = app, rt

    async def publish(
        self, alerts: Sequence[ev.Alert], figures: Sequence[tuple[str, bytes]]
    ) -> output.Outbox:
        outbox = output.Outbox(self.app)
        out = self.rt.topic(topics.ALERTS).get_topic_name()
        async for alert in sliced(alerts):
            await outbox.add(out, alert.id.encode(), codec.encode_alert(alert))
        out = self.rt.topic(topics.STATION_STATS).get_topic_name()
        async for station_id, value in sliced(figures):
            await outbox.add(out, station_id.encode(), value)
        await outbox.send()
        return outbox


class FaustStateTable:
    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.table = app.Table(
            "station-state",
            # bytes -> faust's "raw" serializer for the table and its changelog.
            key_type=bytes,
            value_type=bytes,
            partitions=topics.REPORTS.partitions,
            options=rocksdb_options(),
        )

    def get(self, station_id: str, event: Any) -> bytes | None:
        with within(event):  # reads the partition's own RocksDB
            raw: bytes | None = self.table.get(station_id.encode())
        return raw

    def items(self) -> Iterable[tuple[bytes, bytes]]:
        return self.table.items()

    async def save(self, rows: Sequence[StateRow]) -> None:
        outbox = output.Outbox(self.app)
        await output.write_table(self.table, ((e, sid.encode(), v) for e, sid, v in rows), outbox)
        await outbox.send()
        await outbox.delivered()


class PgReadModel:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def write_reports(self, reports: Sequence[ReadReport]) -> None:
        rows = [
            sink.ReceivedReport(r.report, r.record.partition, r.record.offset, r.record.payload)
            for r in reports
        ]
        await write_with_retry(
            self.rt, "reports", rows, lambda c, b: sink.write_reports(c, b, self.rt.registry), self._refused
        )

    async def _refused(self, row: sink.ReceivedReport, error: str) -> None:
        """A report PostgreSQL refused: dead-lettered; its figures still count it."""
        source = self.rt.topic(topics.REPORTS).get_topic_name()
        await dead_letter(self.rt, source, row.payload, error, row.partition, row.offset)

    async def write_figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        if not figures:
            return
        own = {f.station_id: v for f, v in zip(figures, values, strict=True)}
        await write_with_retry(
            self.rt,
            "station_stats",
            figures,
            lambda c, b: sink.write_station_stats(c, b, own),
            functools.partial(refused_figures, self.rt),
        )


class SummariesFeed:
    """The region agent's station-summaries topic, in messages of at most
    `summaries.MESSAGE_BYTES`, and the figures' other listeners (`forward`: forensics)."""

    def __init__(
        self,
        topic: Any,
        sent: summaries.SentFigures,
        forward: Sequence[Callable[[Sequence[ev.StationStats]], Awaitable[None]]] = (),
    ) -> None:
        self.topic, self.sent, self.forward = topic, sent, list(forward)

    async def figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        for handler in self.forward:
            await handler(figures)
        for part in summaries.split(values):
            message = summaries.pack(values[part])
            self.sent.add(message, figures[part])
            await self.topic.send(key=summaries.BATCH, value=message)

    async def marks(self, marks: Sequence[PartitionMark]) -> None:
        await self.topic.send(key=summaries.MARKS, value=summaries.encode_marks(marks))


class KafkaDeadLetters:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def send(self, letters: Sequence[DeadLetter]) -> None:
        source = self.rt.topic(topics.REPORTS).get_topic_name()
        for letter in letters:
            record = letter.record
            await dead_letter(self.rt, source, record.payload, letter.error, record.partition, record.offset)
