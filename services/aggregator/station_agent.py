"""The station agent: the reports topic's pipeline and its commit policy, in one place.

    collect (collector.py)  events in as faust delivers them, batches out (at most `batch_max`
                            reports, the oldest waiting `flush_interval_ms`, longer while behind)
    overlap (overlap.py)    one batch handled at a time, while the next is collected
    handle (below)          read_batch: decode; undecodable records -> dead letters (delivered)
                            raw reports -> read model (PostgreSQL), started, not awaited
                            apply_batch (domain/station_batch.py): states, rules after every
                              report, alerts, figures and state records once per station
                            alerts + figures -> outbox (Kafka), sent
    _deliver (behind the    in batch order, at most `PERSIST_AHEAD` batches behind:
      next batch)             raw reports landed; figures -> read model; figures -> region
                              feed (and the forensics forwarder); partition marks -> region feed
                              beside them: the outbox delivered, then the state records ->
                              table (changelog delivered, then the local store)
                            then ack

Commit policy. A batch's events are held (`Acker.hold`) from the moment it is handed on and
acked only when every delivery above has succeeded; faust commits an offset once every
reference to its message is released (the collector releases the stream's once the batch is
submitted, overlap its own once the batch is handled) and flushes the producer before it
commits. So a crash replays at most whole batches, which the report-id set in each state
makes idempotent. A delivery that fails (Kafka refused a record: PostgreSQL errors are retried
until the rows land or are dead-lettered) stops the worker at once, with that batch and every
later one unacked: their states are not written either (a later batch waits for the earlier
one), so the replay finds the states from before them and sends their alerts again
(tests/integration/aggregator/test_delivery_failures.py). After a restart every station's
figures are sent again (`resend_all`), so figures need no wait. The ports are in
station_ports.py; tests/unit/aggregator/test_station_agent.py drives the agent with fakes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import faust

from services.aggregator import metrics
from services.aggregator.collector import Collector, collect
from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.domain.station_batch import (
    BatchResult,
    Record,
    StateRecord,
    apply_batch,
    batch_marks,
    read_batch,
)
from services.aggregator.domain.station_state import StationState
from services.aggregator.domain.station_view import station_stats
from services.aggregator.overlap import Overlapped
from services.aggregator.registry import info_for
from services.aggregator.runtime import Runtime
from services.aggregator.slices import sliced
from services.aggregator.state_codec import decode_state, encode_state
from services.aggregator.station_ports import (
    Acker,
    DeadLetters,
    Delivery,
    Outbox,
    ReadModel,
    RegionFeed,
    StateTable,
)
from services.aggregator.turns import Turns
from services.common.contracts import codec
from services.common.contracts import events as ev

log = logging.getLogger(__name__)
# Batches whose deliveries may still be running while the next one is handled.
PERSIST_AHEAD = 2
# At shutdown, how long those deliveries may take (PostgreSQL down: they retry until cancelled).
STOP_WAIT_S = 10.0


class StationAgent:
    def __init__(
        self,
        rt: Runtime,
        *,
        table: StateTable,
        outbox: Outbox,
        read_model: ReadModel,
        region_feed: RegionFeed,
        dead_letters: DeadLetters,
        acker: Acker,
        highwater: Callable[[int], int | None],
        stop: Callable[[BaseException], Awaitable[None]],
    ) -> None:
        """`highwater(partition)`: the reports partition's high water, if known; `stop(error)`:
        stops the worker (it restarts from its committed offsets)."""
        self.rt = rt
        self.table, self.outbox, self.read_model = table, outbox, read_model
        self.region_feed, self.dead_letters, self.acker = region_feed, dead_letters, acker
        self.highwater, self.stop = highwater, stop
        self.cache: dict[str, StationState] = {}
        # Stations whose figures must be re-sent (after recovery), sent by `flush` in chunks.
        self.resend: set[str] = set()
        self.dedup_s = rt.rules.windows.dedup_hours * 3600
        # Each batch's deliveries, oldest first, each after the last.
        self.persisting: deque[asyncio.Task[None]] = deque()
        # The worker's stop, once a batch's deliveries have failed.
        self.stopping: asyncio.Future[None] | None = None
        # Encoded states of handled batches not in the table yet (read if the cache is dropped).
        self.unsaved: dict[str, bytes] = {}
        # Batches take turns with recomputations after verification decisions (turns.py).
        self.turns = Turns()

    def register(self, app: faust.App, topic: Any) -> None:
        """The agent on the reports `topic`, and once the tables are recovered, the re-sending
        of every station's figures, a chunk per flush interval."""
        app.agent(topic, name="stations")(self.process)

        async def resend_after_recovery() -> None:
            await self.rt.ready.wait()
            await app.tables.recovery.completed.wait()  # type: ignore[attr-defined]
            await self.resend_all()
            # A chunk per flush interval until done (a 50 ms timer for the whole day did
            # nothing after this, and overlapped its interval whenever the worker was held back).
            while self.resend:
                await self.flush()
                await asyncio.sleep(self.rt.settings.flush_interval_ms / 1000)

        app.task(resend_after_recovery)

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

    def state(self, station_id: str, event: Any) -> StationState:
        state = self.cache.get(station_id)
        if state is None:
            raw = self.unsaved.get(station_id)
            if raw is None:
                raw = self.table.get(station_id, event)
            state = decode_state(raw) if raw is not None else StationState(station_id)
            self.cache[station_id] = state
        return state

    async def handle(self, events: Sequence[Any]) -> None:
        """One batch: decode, apply, send alerts and figures, and start its deliveries, which
        ack it (the module's docstring)."""
        await self._bound_persisting()
        records = []
        for n, event in enumerate(events):
            message = event.message
            self.rt.positions[message.partition] = message.offset
            records.append(Record(n, message.partition, message.offset, bytes(event.value or b"")))
        read = await read_batch(records, codec.decode_report)
        if read.dead_letters:
            metrics.EVENTS.labels("unknown", "undecodable").inc(len(read.dead_letters))
            await self.dead_letters.send(read.dead_letters)
        # The raw reports go to PostgreSQL while the rules run.
        raw_write = (
            asyncio.ensure_future(self.read_model.write_reports(read.reports)) if read.reports else None
        )
        deferred = False
        try:
            result = await apply_batch(
                read,
                lambda station_id, at: self.state(station_id, events[at]),
                lambda station_id: info_for(self.rt.registry, station_id),
                self.rt.rules,
                self.dedup_s,
                encode_state,
            )
            _count(result)
            values = [codec.encode_station_stats(f) async for f in sliced(result.figures)]
            sent = await self.outbox.publish(
                result.alerts, [(f.station_id, v) for f, v in zip(result.figures, values, strict=True)]
            )
            _observe_latency(result.state_records)
            for r in result.state_records:
                self.unsaved[r.station_id] = r.value
            marks = batch_marks(read.newest, self.rt.positions, self.highwater)
            self.defer(events, raw_write, result.figures, values, marks, sent, result.state_records)
            deferred = True
        finally:
            if raw_write is not None and not deferred:
                await raw_write

    def defer(
        self,
        events: Sequence[Any],
        raw_write: Awaitable[None] | None,
        figures: list[ev.StationStats],
        values: list[bytes],
        marks: Sequence[PartitionMark] = (),
        sent: Delivery | None = None,
        states: Sequence[StateRecord] = (),
    ) -> None:
        """Holds a handled batch's events and delivers the rest of it behind the next batches."""
        self.acker.hold(events)
        previous = self.persisting[-1] if self.persisting else None
        task = asyncio.ensure_future(
            self._deliver(previous, raw_write, figures, values, marks, sent, states, events)
        )
        task.add_done_callback(self._stop_if_failed)
        self.persisting.append(task)

    async def _deliver(
        self,
        previous: asyncio.Task[None] | None,
        raw_write: Awaitable[None] | None,
        figures: list[ev.StationStats],
        values: list[bytes],
        marks: Sequence[PartitionMark],
        sent: Delivery | None,
        states: Sequence[StateRecord],
        events: Sequence[Any],
    ) -> None:
        if previous is not None:  # keeps the writes and region messages in batch order
            await asyncio.wait((previous,))
            if previous.cancelled() or previous.exception() is not None:
                return  # the worker is stopping: nothing after a failed batch is written or acked
        # The states while the PostgreSQL writes run: either may finish first.
        saving = asyncio.ensure_future(
            self.save(sent, [(events[r.at], r.station_id, r.value) for r in states])
        )
        if raw_write is not None:
            await raw_write
        await self.read_model.write_figures(figures, values)
        await self.region_feed.figures(figures, values)
        if marks:  # after the figures of the reports they count
            await self.region_feed.marks(marks)
        await saving
        self.acker.ack(events)

    async def save(self, sent: Delivery | None, states: Sequence[tuple[Any, str, bytes]]) -> None:
        """Once the batch's alerts (`sent`) are delivered, writes its station states: a replay
        that finds these states sends nothing twice, and one that does not (a failure before)
        finds the states from before the batch and alerts again."""
        if sent is not None:
            await sent.delivered()
        if not states:
            return
        await self.table.save(states)
        for _event, sid, value in states:
            if self.unsaved.get(sid) is value:  # no later batch changed it since
                del self.unsaved[sid]

    def _stop_if_failed(self, task: asyncio.Task[None]) -> None:
        """A batch whose deliveries fail leaves it and every later batch unacked: the worker
        stops at once rather than wait for the next batch, which may not come, to raise it."""
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        log.error("a batch's writes failed, stopping the worker: %r", error)
        self.stopping = asyncio.ensure_future(self.stop(error))

    async def _bound_persisting(self) -> None:
        """Waits for the oldest batches' deliveries beyond `PERSIST_AHEAD`; re-raises a failed one."""
        while self.persisting and (len(self.persisting) >= PERSIST_AHEAD or self.persisting[0].done()):
            await self.persisting.popleft()

    async def _drain_persisting(self) -> None:
        """Stopping: gives the deliveries of batches already handled `STOP_WAIT_S` to land; the
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

    async def publish(self, stations: Iterable[str]) -> None:
        """Sends, writes and hands on the figures of `stations` held in the cache."""
        figures: list[ev.StationStats] = []
        async for station_id in sliced(stations):
            state = self.cache.get(station_id)
            if state is not None and state.last_at is not None:
                figures.append(station_stats(state, info_for(self.rt.registry, station_id), self.rt.rules))
        values = [codec.encode_station_stats(f) async for f in sliced(figures)]
        await self.outbox.publish((), [(f.station_id, v) for f, v in zip(figures, values, strict=True)])
        if figures:
            metrics.STATS_SENT.labels("station").inc(len(figures))
        await self.read_model.write_figures(figures, values)
        await self.region_feed.figures(figures, values)

    async def flush(self, chunk: int = 2000) -> None:
        """Re-sends pending figures (after recovery), a chunk at a time."""
        if not self.resend:
            return
        pending = sorted(self.resend)[:chunk]
        self.resend.difference_update(pending)
        await self.publish(pending)

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


def _count(result: BatchResult) -> None:
    for labels, n in result.counts.items():
        metrics.EVENTS.labels(*labels).inc(n)
    metrics.BATCHES.inc()
    for alert in result.alerts:
        metrics.alert_sent(alert)
    if result.figures:
        metrics.STATS_SENT.labels("station").inc(len(result.figures))


def _observe_latency(records: Sequence[StateRecord]) -> None:
    now = datetime.now(UTC)
    for r in records:
        metrics.LATENCY_OBSERVED.observe(max(0.0, (now - r.observed_at).total_seconds()))
        metrics.LATENCY_RECEIVED.observe(max(0.0, (now - r.received_at).total_seconds()))
