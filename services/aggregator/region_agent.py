"""The region agent: station figures in (one internal partition), roll-ups, silence, outliers out.

The station agent sends one message per batch with the figures of every station it changed
(services/aggregator/summaries.py), so this agent handles a few messages per second, not one per
report.

Ticks are messages too: a timer writes a tick (wall time) into the same internal topic, so every
evaluation, and every table write it implies, happens inside the stream, where faust can tie the
changelog to the offsets it commits.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import faust

from services.aggregator import metrics, output, sink, summaries
from services.aggregator.dead_letters import refused_figures
from services.aggregator.domain.pacing import Pacer
from services.aggregator.domain.partition_marks import PartitionMarks
from services.aggregator.domain.region_book import RegionBook, RegionTick, region_key
from services.aggregator.faust_tuning import rocksdb_options
from services.aggregator.pg_writes import with_retry, write_with_retry
from services.aggregator.runtime import Runtime
from services.aggregator.slices import sliced
from services.aggregator.state_codec import decode_book, encode_book
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError

log = logging.getLogger(__name__)


class RegionAgent:
    def __init__(self, app: faust.App, rt: Runtime) -> None:
        self.app, self.rt = app, rt
        raw: dict[str, Any] = {
            "key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw",
        }  # fmt: skip
        self.summaries = app.topic(f"{app.conf.id}-station-summaries", partitions=1, internal=True, **raw)
        # What this worker's station agent sent on that topic, taken back instead of decoded.
        self.sent = summaries.SentFigures()
        # Each station's figures come from the summaries, and after a restart or a rebalance from
        # PostgreSQL (the station agent writes them there before it sends them here).
        # bytes -> faust's "raw" serializer for the table and its changelog.
        self.books = app.Table(
            "region-alerts", partitions=1, key_type=bytes, value_type=bytes, options=rocksdb_options()
        )
        self.book = RegionBook(rt.rules)
        self.pacer = Pacer(rt.settings.region_eval_share)
        # How far the station agents have read each reports partition (silence time).
        self.marks = PartitionMarks(rt.settings.partition_mark_ttl_s)
        self.loaded = False
        self.registry_version = -1
        self.last_full: datetime | None = None
        # Wall time at which the watermark last moved (for wall-clock silence).
        self.anchor: tuple[datetime | None, float] = (None, time.time())
        # The tick being sent (`tick`).
        self.ticking: asyncio.Future[Any] | None = None

    async def _load(self) -> None:
        figures = await with_retry(self.rt, "reading station figures", sink.read_own_figures)
        async for value in sliced(figures):
            self.book.upsert(codec.decode_station_stats(value))
        async for key, value in sliced(self.books.items()):
            self.book.alerts[key.decode()] = decode_book(value)
        self.book.silent = {s for s, b in self.book.alerts.items() if "silent_station" in b.open}
        self.loaded = True
        log.info("region view loaded: %d stations", len(self.book.members))

    def now(self, wall: float) -> datetime | None:
        held_back_to = self.marks.held_back_to(wall)
        mark = self.book.watermark(held_back_to)
        if mark is None:
            return None
        if mark != self.anchor[0]:
            self.anchor = (mark, wall)
        # Wall time stands in for reports that do not come, not for ones waiting to be read.
        if self.rt.settings.wall_clock_silence and held_back_to is None:
            return mark + timedelta(seconds=max(0.0, wall - self.anchor[1]))
        return mark

    async def process(self, stream: Any) -> None:
        await self.rt.ready.wait()
        async for event in stream.events():
            # Held until what it caused is delivered: if that fails the agent stops the worker
            # with the event unacked (faust acks the current event when an agent fails).
            event.message.incref()
            await self._handle(event)
            event.ack()

    async def _handle(self, event: Any) -> None:
        if not self.loaded:
            await self._load()
        if self.registry_version != self.rt.registry_version:
            self.book.set_registry(self.rt.registry)
            self.registry_version = self.rt.registry_version
        key = event.key or summaries.TICK
        if key == summaries.MARKS:
            self._marks(event.value)
            return
        if key != summaries.TICK:
            await self._members(self._figures(key, event.value))
            return
        now = self.now(summaries.decode_tick(event.value))
        started = time.monotonic()
        if now is None or not self.pacer.due(started):
            return
        full = self.last_full is None or now - self.last_full >= timedelta(
            seconds=self.rt.settings.silence_check_s
        )
        if full:
            self.last_full = now
            self.book.mark_all()
        tick = self.book.evaluate(now, budget=self.rt.settings.region_eval_stations)
        self.pacer.ran(started, time.monotonic())
        await self._send(tick, event)

    def _marks(self, value: bytes) -> None:
        """Takes a batch's partition marks; a bad one is skipped (they only hold silence back,
        and an internal message that fails again after every restart must not stop the worker)."""
        try:
            self.marks.update(summaries.decode_marks(value), time.time())
        except DecodeError as exc:
            log.error("region agent: skipping partition marks: %s", exc)

    def _figures(self, key: bytes, value: bytes) -> Sequence[ev.StationStats]:
        """A summaries message's figures: taken back from this worker's station agent if it sent
        them, else decoded. A single station's (older format) is keyed by its id."""
        if key != summaries.BATCH:
            return [codec.decode_station_stats(value)]
        sent = self.sent.take(value)
        if sent is not None:
            return sent
        return [codec.decode_station_stats(v) for v in summaries.unpack(value)]

    async def _members(self, figures: Sequence[ev.StationStats]) -> None:
        """Takes a batch of station figures; re-sends, with its region-level alerts and silence,
        the figures of each station that has any, so the last figures published count them."""
        views: list[ev.StationStats] = []
        async for stats in sliced(figures):
            self.book.upsert(stats)
            book = self.book.alerts.get(stats.station_id)
            if (book is not None and book.count_open()) or stats.station_id in self.book.silent:
                views.append(self.book.station_view(stats))
        await self._stations(views)

    async def _stations(self, views: list[ev.StationStats]) -> None:
        outbox = output.Outbox(self.app)
        out = self.rt.topic(topics.STATION_STATS).get_topic_name()
        async for view in sliced(views):
            await outbox.add(out, view.station_id.encode(), codec.encode_station_stats(view))
        await outbox.send()
        if views:
            refuse = functools.partial(refused_figures, self.rt)
            await write_with_retry(self.rt, "station_stats", views, sink.write_station_stats, refuse)

    async def _send(self, tick: RegionTick, event: Any) -> None:
        """Alerts, then their books, the stations' figures, then the regions', each as batches
        (a silence check can open an alert for most of 100,000 stations at once: `Topic.send`
        and a table write per record took ~10 % of the worker in the national replay). The
        books are written once the alerts are delivered, so a tick whose alerts fail is
        evaluated again after the restart (output.py)."""
        outbox = output.Outbox(self.app)
        alerts_out = self.rt.topic(topics.ALERTS).get_topic_name()
        books: dict[str, bytes] = {}
        async for alert in sliced(tick.alerts):
            metrics.alert_sent(alert)
            await outbox.add(alerts_out, alert.id.encode(), codec.encode_alert(alert))
            key = alert.station_id or region_key(alert.region_id)
            book = self.book.alerts.get(key)
            if book is not None:
                books[key] = encode_book(book)
        await outbox.send()
        await outbox.delivered()
        if books:
            # The table's one partition is the summaries topic's, the partition of this tick.
            outbox = output.Outbox(self.app)
            await output.write_table(self.books, ((event, k.encode(), v) for k, v in books.items()), outbox)
            await outbox.send()
            await outbox.delivered()
        await self._stations(tick.stations)
        outbox = output.Outbox(self.app)
        region_out = self.rt.topic(topics.REGION_STATS).get_topic_name()
        for region in tick.regions:
            await outbox.add(region_out, region.region_id.encode(), codec.encode_region_stats(region))
        await outbox.send()
        metrics.STATS_SENT.labels("region").inc(len(tick.regions))

    def register(self, app: faust.App) -> None:
        """The agent on the station-summaries topic and the timer that ticks it."""
        app.agent(self.summaries, name="regions")(self.process)

        async def region_tick() -> None:
            if self.rt.ready.is_set():
                await self.tick()

        app.timer(interval=self.rt.settings.region_interval_ms / 1000)(region_tick)

    async def tick(self) -> None:
        """Sends a tick into the stream without waiting for the producer (the timer overlapped
        its interval while a national day's output kept the producer busy); none while the
        previous one is still on its way, which a second would only follow."""
        if self.ticking is not None and not self.ticking.done():
            return
        sending = self.summaries.send(key=summaries.TICK, value=summaries.encode_tick(time.time()))
        self.ticking = asyncio.ensure_future(sending)
        self.ticking.add_done_callback(_tick_sent)


def _tick_sent(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("region agent: a tick was not sent: %r", task.exception())
