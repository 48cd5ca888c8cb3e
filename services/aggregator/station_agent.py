"""The station agent: reports in batches, station state updated once per report id, alerts out.

Per batch (at most `batch_max` reports, the oldest waiting at most `flush_interval_ms`, longer
while the worker is behind; collected while one is handled, see collector.py and overlap.py):
every report is applied and the station rules run after each one (so alerts never depend on
batch boundaries); the alerts and, once per station changed, its figures go to Kafka. The rest
runs behind the next batch (`PERSIST_AHEAD` batches at most, in batch order; it took half of
each batch's time and held back the next one's figures): the PostgreSQL writes (the batch's raw
reports, then its figures) and the messages to the region agent, and beside them, once the
alerts are delivered, the states of the stations changed (one changelog record each, then the
local store). The batch's events are acked only after all that, and faust flushes the
producer before it commits, so a crash replays at most whole batches, which the report-id set
makes idempotent; a batch whose alerts were not delivered finds the states from before it and
alerts again (output.py). After a restart every station's figures are re-sent once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import TP

from services.aggregator import metrics, output, sink, summaries
from services.aggregator.collector import Collector, collect
from services.aggregator.dead_letters import dead_letter, refused_figures
from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.domain.station_rules import HELD, evaluate
from services.aggregator.domain.station_state import Applied, StationState
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.event_context import within
from services.aggregator.faust_tuning import rocksdb_options
from services.aggregator.overlap import Overlapped
from services.aggregator.pg_writes import write_with_retry
from services.aggregator.registry import info_for
from services.aggregator.runtime import Runtime
from services.aggregator.slices import sliced
from services.aggregator.state_codec import decode_state, encode_state
from services.aggregator.turns import Turns
from services.common import codec, topics
from services.common import events as ev
from services.common.errors import DecodeError

log = logging.getLogger(__name__)
# Batches whose PostgreSQL writes may still be running while the next one is handled.
PERSIST_AHEAD = 2
# At shutdown, how long those writes may take (PostgreSQL down: they retry until cancelled).
STOP_WAIT_S = 10.0


# A station state to write: the event of the station's newest report, its id and its value.
State = tuple[Any, str, bytes]


@dataclass(slots=True)
class Touched:
    """A station a batch changed: the event of its newest report, that report's times and the
    station's state (held: the cache may be dropped while the batch is handled)."""

    event: Any
    observed_at: datetime
    received_at: datetime
    state: StationState


class StationAgent:
    def __init__(
        self, app: faust.App, rt: Runtime, summaries_topic: Any, sent: summaries.SentFigures
    ) -> None:
        self.app, self.rt, self.summaries, self.sent = app, rt, summaries_topic, sent
        self.table = app.Table(
            "station-state",
            # bytes -> faust's "raw" serializer for the table and its changelog.
            key_type=bytes,
            value_type=bytes,
            partitions=topics.REPORTS.partitions,
            options=rocksdb_options(),
        )
        self.cache: dict[str, StationState] = {}
        # Stations whose figures must be re-sent (after recovery), sent by `flush` in chunks.
        self.resend: set[str] = set()
        self.dedup_s = rt.rules.windows.dedup_hours * 3600
        # Called with each batch's figures after they are sent (the forensics forwarder).
        self.on_figures: list[Callable[[Sequence[ev.StationStats]], Awaitable[None]]] = []
        # Each batch's PostgreSQL writes and region message, oldest first, each after the last.
        self.persisting: deque[asyncio.Task[None]] = deque()
        # The worker's crash, once a batch's writes have failed.
        self.stopping: asyncio.Future[None] | None = None
        # Encoded states of handled batches not in the table yet (read if the cache is dropped).
        self.unsaved: dict[str, bytes] = {}
        # Batches take turns with recomputations after verification decisions (turns.py).
        self.turns = Turns()

    def state(self, station_id: str, event: Any) -> StationState:
        state = self.cache.get(station_id)
        if state is None:
            raw = self.unsaved.get(station_id)
            if raw is None:
                with within(event):  # reads the partition's own RocksDB
                    raw = self.table.get(station_id.encode())
            state = decode_state(raw) if raw is not None else StationState(station_id)
            self.cache[station_id] = state
        return state

    async def process(self, stream: Any) -> None:
        await self.rt.ready.wait()
        s = self.rt.settings
        batches = Overlapped(self.turns.guard(self.handle))
        try:
            collector = Collector(
                s.batch_max,
                s.flush_interval_ms / 1000,
                catchup_within_s=s.catchup_flush_interval_ms / 1000,
                behind_s=s.catchup_after_ms / 1000,
            )
            await collect(stream, collector, batches.idle, batches.submit)
        finally:
            await batches.finish(STOP_WAIT_S)
            await self._drain_persisting()

    async def handle(self, events: Sequence[Any]) -> None:
        """One batch: apply, alert, send figures once per station, and start the writes (the
        state once the alerts are delivered, then PostgreSQL), which ack the batch."""
        await self._bound_persisting()
        alerts_out = self.rt.topic(topics.ALERTS).get_topic_name()
        touched: dict[str, Touched] = {}
        decoded: list[tuple[Any, ev.Report]] = []
        counts: Counter[tuple[str, str]] = Counter()
        newest: dict[int, datetime] = {}  # per partition read, its newest report's observed_at
        async for event in sliced(events):
            message = event.message
            self.rt.positions[message.partition] = message.offset
            try:
                report = codec.decode_report(event.value)
            except DecodeError as exc:
                await self._dead_letter(event, exc)
                continue
            decoded.append((event, report))
            held = newest.get(message.partition)
            if held is None or report.observed_at > held:
                newest[message.partition] = report.observed_at
        # The raw reports go to PostgreSQL while the rules run (the batch is acked only after
        # both this write and the figures' have landed).
        received = [
            sink.ReceivedReport(r, e.message.partition, e.message.offset, e.value) for e, r in decoded
        ]
        raw_write = asyncio.ensure_future(self._write_reports(received)) if received else None
        deferred = False
        try:
            # The batch's alerts and figures; its states wait for them (`_persist_then_ack`).
            sent = output.Outbox(self.app)
            async for event, report in sliced(decoded):
                state = self.state(report.station_id, event)
                outcome = state.apply(report, self.dedup_s)
                counts[(report.kind.value, outcome.value)] += 1
                if outcome is not Applied.NEW or state.last_at is None:
                    continue
                info = info_for(self.rt.registry, report.station_id)
                moved = state.alerts.step(
                    report.station_id,
                    info.region_id,
                    evaluate(state, info, self.rt.rules, report),
                    at(state.last_at),
                    HELD,
                )
                for alert in moved:
                    metrics.alert_sent(alert)
                    await sent.add(alerts_out, alert.id.encode(), codec.encode_alert(alert))
                touched[report.station_id] = Touched(event, report.observed_at, report.received_at, state)
            for labels, n in counts.items():
                metrics.EVENTS.labels(*labels).inc(n)
            metrics.BATCHES.inc()
            figures, own = await self.send_figures(touched, touched, sent)
            # Encoded now: later batches change the cached states before these are written.
            # The changelog partition (and RocksDB) is the one of the station's reports.
            states: list[State] = []
            async for sid, t in sliced(touched.items()):
                value = self.unsaved[sid] = encode_state(t.state)
                states.append((t.event, sid, value))
            self.defer(events, raw_write, figures, own, self.marks(events, newest), sent=sent, states=states)
            deferred = True
        finally:
            if raw_write is not None and not deferred:
                await raw_write

    async def _write_reports(self, received: Sequence[sink.ReceivedReport]) -> None:
        await write_with_retry(
            self.rt,
            "reports",
            received,
            lambda c, b: sink.write_reports(c, b, self.rt.registry),
            self._refused_report,
        )

    async def _refused_report(self, row: sink.ReceivedReport, error: str) -> None:
        """A report PostgreSQL refused: dead-lettered; its figures still count it."""
        source = self.rt.topic(topics.REPORTS).get_topic_name()
        await dead_letter(self.rt, source, row.payload, error, row.partition, row.offset)

    async def _bound_persisting(self) -> None:
        """Waits for the oldest batches' writes beyond `PERSIST_AHEAD`; re-raises a failed one."""
        while self.persisting and (len(self.persisting) >= PERSIST_AHEAD or self.persisting[0].done()):
            await self.persisting.popleft()

    async def _drain_persisting(self) -> None:
        """Stopping: gives the writes of batches already handled `STOP_WAIT_S` to land; the
        batches of those that do not stay unacked and are replayed."""
        pending = list(self.persisting)
        self.persisting.clear()
        if not pending:
            return
        done, late = await asyncio.wait(pending, timeout=STOP_WAIT_S)
        for task in late:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("a batch's writes failed at shutdown: %r", task.exception())

    def marks(self, events: Sequence[Any], newest: dict[int, datetime]) -> list[PartitionMark]:
        """How far this batch read each of its partitions (for the region agent's silence time):
        its newest report, and whether reports wait behind the batch (the partition's high
        water beyond the last offset handled)."""
        if not events:
            return []
        topic = events[0].message.topic
        out = []
        for partition, read_to in newest.items():
            high = self.app.consumer.highwater(TP(topic, partition))
            handled = self.rt.positions.get(partition, -1)
            out.append(PartitionMark(partition, read_to, high is not None and handled < high - 1))
        return out

    def defer(
        self,
        events: Sequence[Any],
        raw_write: asyncio.Future[None] | None,
        figures: list[ev.StationStats],
        own: dict[str, bytes],
        marks: Sequence[PartitionMark] = (),
        *,
        sent: output.Outbox | None = None,
        states: Sequence[State] = (),
    ) -> None:
        """Persists a handled batch behind the next ones; its events stay unacked until then
        (each holds one more reference than the collector releases). `sent`: the batch's
        alerts and figures, sent; `states`: its stations' states, written once `sent` is
        delivered."""
        for event in events:
            event.message.incref()
        previous = self.persisting[-1] if self.persisting else None
        task = asyncio.ensure_future(
            self._persist_then_ack(previous, raw_write, sent, states, figures, own, marks, events)
        )
        task.add_done_callback(self._stop_if_failed)
        self.persisting.append(task)

    def _stop_if_failed(self, task: asyncio.Task[None]) -> None:
        """A batch's writes that fail (PostgreSQL errors are retried until they land or the
        rows are dead-lettered, so this is a delivery Kafka refused, or a bug) leave it and
        every later batch unacked: the worker stops at once and restarts from its committed
        offsets, rather than wait for the next batch, which may not come, to raise it."""
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        log.error("a batch's writes failed, stopping the worker: %r", error)
        self.stopping = asyncio.ensure_future(self.app.crash(error))

    async def _persist_then_ack(
        self,
        previous: asyncio.Task[None] | None,
        raw_write: asyncio.Future[None] | None,
        sent: output.Outbox | None,
        states: Sequence[State],
        figures: list[ev.StationStats],
        own: dict[str, bytes],
        marks: Sequence[PartitionMark],
        events: Sequence[Any],
    ) -> None:
        if previous is not None:  # keeps the writes and region messages in batch order
            await asyncio.wait((previous,))
            if previous.cancelled() or previous.exception() is not None:
                return  # the worker is stopping: nothing after a failed batch is written or acked
        # The states while the PostgreSQL writes run: either may finish first.
        saving = asyncio.ensure_future(self.save(sent, states))
        if raw_write is not None:
            await raw_write
        await self.persist(figures, own)
        if marks:  # after the figures of the reports they count
            await self.summaries.send(key=summaries.MARKS, value=summaries.encode_marks(marks))
        await saving
        for event in events:
            event.ack()

    async def save(self, sent: output.Outbox | None, states: Sequence[State]) -> None:
        """Once the batch's alerts (`sent`) are delivered, writes its station states to the
        table and waits until they are delivered: a replay that finds these states sends
        nothing twice, and one that does not (a failure before) finds the states from before
        the batch and alerts again."""
        if sent is not None:
            await sent.delivered()
        if not states:
            return
        outbox = output.Outbox(self.app)
        await output.write_table(self.table, ((e, sid.encode(), v) for e, sid, v in states), outbox)
        await outbox.send()
        await outbox.delivered()
        for _event, sid, value in states:
            if self.unsaved.get(sid) is value:  # no later batch changed it since
                del self.unsaved[sid]

    async def publish(self, stations: Iterable[str], times: dict[str, Touched]) -> None:
        """Sends the figures of `stations` (`send_figures`), then persists them (`persist`)."""
        await self.persist(*await self.send_figures(stations, times, output.Outbox(self.app)))

    async def send_figures(
        self, stations: Iterable[str], times: dict[str, Touched], outbox: output.Outbox
    ) -> tuple[list[ev.StationStats], dict[str, bytes]]:
        """Adds the figures of `stations` for the station-stats topic to `outbox` and sends it;
        observes the latency of the reports in `times`. Returns the figures and their encoded
        values by station."""
        out = self.rt.topic(topics.STATION_STATS).get_topic_name()
        figures: list[ev.StationStats] = []
        own: dict[str, bytes] = {}
        async for station_id in sliced(stations):
            state = self.cache.get(station_id)
            if state is None or state.last_at is None:
                continue
            stats = station_stats(state, info_for(self.rt.registry, station_id), self.rt.rules)
            value = codec.encode_station_stats(stats)
            figures.append(stats)
            own[station_id] = value
            await outbox.add(out, station_id.encode(), value)
        await outbox.send()
        if figures:
            metrics.STATS_SENT.labels("station").inc(len(figures))
            now = datetime.now(UTC)
            for t in times.values():
                metrics.LATENCY_OBSERVED.observe(max(0.0, (now - t.observed_at).total_seconds()))
                metrics.LATENCY_RECEIVED.observe(max(0.0, (now - t.received_at).total_seconds()))
        return figures, own

    async def persist(self, figures: list[ev.StationStats], own: dict[str, bytes]) -> None:
        """Writes figures to PostgreSQL, then hands them to `on_figures` and, in messages of at
        most `summaries.MESSAGE_BYTES`, to the region agent, which reloads them from PostgreSQL
        after a restart."""
        if figures:
            await write_with_retry(
                self.rt,
                "station_stats",
                figures,
                lambda c, b: sink.write_station_stats(c, b, own),
                functools.partial(refused_figures, self.rt),
            )
        for handler in self.on_figures:
            await handler(figures)
        values = list(own.values())  # in the order of `figures`
        for part in summaries.split(values):
            message = summaries.pack(values[part])
            self.sent.add(message, figures[part])
            await self.summaries.send(key=summaries.BATCH, value=message)

    async def _dead_letter(self, event: Any, exc: DecodeError) -> None:
        message = event.message
        metrics.EVENTS.labels("unknown", "undecodable").inc()
        payload = bytes(event.value or b"")
        await dead_letter(self.rt, message.topic, payload, str(exc), message.partition, message.offset)

    async def flush(self, chunk: int = 2000) -> None:
        """Re-sends pending figures (after recovery), a chunk at a time."""
        if not self.resend:
            return
        pending = sorted(self.resend)[:chunk]
        self.resend.difference_update(pending)
        await self.publish(pending, {})

    async def resend_all(self) -> int:
        """Marks every station held locally for re-sending (after recovery); returns how many."""
        started = time.monotonic()
        count = 0
        async for _key, raw in sliced(self.table.items()):
            state = decode_state(raw)
            self.cache.setdefault(state.station_id, state)
            if state.last_at is not None:
                self.resend.add(state.station_id)
            count += 1
        log.info("re-sending figures of %d stations (%.2fs)", count, time.monotonic() - started)
        return count

    def forget(self) -> None:
        """Drops the cache (partitions moved: the table is the truth)."""
        self.cache.clear()
