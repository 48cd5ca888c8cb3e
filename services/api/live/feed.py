"""The one Kafka consumer per API process: stats and alerts topics into the hub.

No consumer group: every API process reads every partition. The stats topics are compacted,
so reading them from the beginning rebuilds the current state; alerts are read from the
beginning too, which rebuilds the set of open alerts a new subscriber receives first.
Stats are published as fetched (the hub conflates them); alerts go through the `AlertPump`,
at the pace of the subscribers that keep up. A probe task asks the broker for the end offsets
once a second: that tells `FeedHealth` (readiness) whether the broker answers and how far
behind the feed is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.api import metrics
from services.api.live.alert_pump import PAUSE_AT, RESUME_AT, AlertPump
from services.api.live.feed_health import FeedHealth
from services.api.live.hub import Hub
from services.common.contracts import codec, topics
from services.common.infra.errors import InvalidMessageError
from services.common.infra.settings import SharedSettings

log = logging.getLogger(__name__)

PROBE_SECONDS = 1.0


class _Keyed(Protocol):
    @property
    def key(self) -> bytes | None: ...


R = TypeVar("R", bound=_Keyed)


def latest_per_key(records: Sequence[R]) -> Sequence[R]:
    """Each key's last record, in the order keys first appear; records without a key all stay.

    For a compacted topic an older value of a key is superseded by a newer one: when the feed
    is behind (a slow pass, a burst) a batch holds several values of a key, and decoding and
    publishing the stale ones only delays the latest. Subscribers conflate the same way.
    """
    if len(records) < 2:
        return records
    latest: dict[object, R] = {}
    for index, record in enumerate(records):
        latest[index if record.key is None else record.key] = record
    return records if len(latest) == len(records) else list(latest.values())


class KafkaFeed:
    """Consumes STATION_STATS, REGION_STATS and ALERTS and publishes each value to the hub."""

    def __init__(
        self, shared: SharedSettings, hub: Hub, stale_seconds: float = 5.0, alert_grace_seconds: float = 5.0
    ) -> None:
        self._hub = hub
        self.health: FeedHealth[TopicPartition] = FeedHealth(stale_seconds)
        # A slow answer still counts (a loaded broker or process): only silence for the whole
        # staleness bound makes the feed unready.
        self._probe_timeout = stale_seconds
        self._alerts_topic = shared.topic(topics.ALERTS.name)
        self._pump = AlertPump(
            hub.alerts,
            lambda value: self._count_ok("alerts", self.handle(self._alerts_topic, value)),
            alert_grace_seconds,
        )
        self._alerts_paused: list[TopicPartition] = []
        self._routes: dict[str, tuple[str, Callable[[bytes], int]]] = {
            shared.topic(topics.STATION_STATS.name): (
                "station_stats",
                lambda data: hub.stations.publish(codec.decode_station_stats(data)),
            ),
            shared.topic(topics.REGION_STATS.name): (
                "region_stats",
                lambda data: hub.publish_region(codec.decode_region_stats(data)),
            ),
            shared.topic(topics.ALERTS.name): (
                "alerts",
                lambda data: hub.alerts.publish(codec.decode_alert(data)),
            ),
        }
        self._consumer = AIOKafkaConsumer(
            *self._routes,
            bootstrap_servers=shared.kafka_bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id="pollwatch-api",
            # Live updates: do not let the broker hold a fetch for long waiting for more bytes.
            fetch_max_wait_ms=50,
        )
        # Compacted topics: within one fetched batch, a key's later value supersedes its earlier ones.
        self._compacted = {
            shared.topic(topics.STATION_STATS.name),
            shared.topic(topics.REGION_STATS.name),
        }
        # The per-message counter's children, looked up once (thousands of messages a second).
        self._ok = {label: metrics.FEED_MESSAGES.labels(label, "ok") for label, _ in self._routes.values()}
        self._superseded = {
            label: metrics.FEED_MESSAGES.labels(label, "superseded") for label, _ in self._routes.values()
        }
        self._tasks: list[asyncio.Task[None]] = []
        self._depths_at = 0.0

    async def start(self) -> None:
        await self._consumer.start()
        for name, work in (("feed", self._run), ("alert-pump", self._pump.run), ("feed-probe", self._probe)):
            task = asyncio.create_task(work(), name=f"api-kafka-{name}")
            task.add_done_callback(_log_crash)
            self._tasks.append(task)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._consumer.stop()

    def _count_ok(self, label: str, published: bool) -> bool:
        if published:
            self._ok[label].inc()
        return published

    def handle(self, topic: str, value: bytes | None) -> bool:
        """Decodes one message and publishes it; a bad one is counted and skipped.

        True when it was published: the caller counts those, once per batch (a counter
        increment per message was a visible share of the feed's time).
        """
        label, publish = self._routes[topic]
        if value is None:
            metrics.FEED_MESSAGES.labels(label, "tombstone").inc()
            return False
        try:
            publish(value)
        except InvalidMessageError as exc:
            metrics.FEED_MESSAGES.labels(label, "invalid").inc()
            log.warning("skipping undecodable message on %s: %s", topic, exc)
            return False
        return True

    async def _run(self) -> None:
        while True:
            try:
                # Everything already fetched, not a capped batch: this task gets one turn per
                # event-loop pass, and when thousands of subscribers make a pass slow a cap
                # lets Kafka lag grow without bound. Publishing is cheap and the hub
                # conflates, so draining keeps every subscriber's next value the latest.
                batches = await self._consumer.getmany(timeout_ms=200)
            except KafkaError as exc:
                log.warning("kafka feed: %s; retrying", exc)
                await asyncio.sleep(1)
                continue
            self.health.fetched()
            for tp, records in batches.items():
                if tp.topic == self._alerts_topic:
                    self._pump.put(record.value for record in records)
                    continue
                label = self._routes[tp.topic][0]
                messages = latest_per_key(records) if tp.topic in self._compacted else records
                if len(messages) < len(records):
                    self._superseded[label].inc(len(records) - len(messages))
                published = 0
                for message in messages:
                    published += self.handle(tp.topic, message.value)
                if published:
                    self._ok[label].inc(published)
            self._pace_alerts()
            # Summing every subscriber's queue is O(subscribers): once a second is enough for a gauge.
            now = time.monotonic()
            if now - self._depths_at >= 1.0:
                self._depths_at = now
                for channel, depth in self._hub.depths().items():
                    metrics.HUB_QUEUE_DEPTH.labels(channel).set(depth)

    def _pace_alerts(self) -> None:
        """Stops fetching alerts while the pump is behind, so its backlog stays bounded; the
        stats partitions go on."""
        if self._alerts_paused and self._pump.backlog <= RESUME_AT:
            self._consumer.resume(*self._alerts_paused)
            self._alerts_paused = []
        elif not self._alerts_paused and self._pump.backlog > PAUSE_AT:
            self._alerts_paused = [tp for tp in self._consumer.assignment() if tp.topic == self._alerts_topic]
            self._consumer.pause(*self._alerts_paused)

    async def _probe(self) -> None:
        reachable: bool | None = None  # logged on changes after the first answer
        while True:
            try:
                await asyncio.wait_for(self._probe_once(), self._probe_timeout)
                if reachable is False:
                    log.info("kafka feed: the broker answers again")
                reachable = True
            except (KafkaError, TimeoutError) as exc:
                if reachable:
                    log.warning("kafka feed: the broker does not answer (%s)", type(exc).__name__)
                    reachable = False
            await asyncio.sleep(PROBE_SECONDS)

    async def _probe_once(self) -> None:
        partitions = sorted(self._consumer.assignment())
        if not partitions:
            raise TimeoutError("no partitions assigned yet")
        ends = await self._consumer.end_offsets(partitions)
        positions = {tp: await self._consumer.position(tp) for tp in partitions}
        lag = self.health.answered(ends, positions, self._pump.backlog)
        by_topic: dict[str, int] = {}
        for tp, behind in lag.items():
            label = self._routes[tp.topic][0]
            by_topic[label] = by_topic.get(label, 0) + behind
        for label, behind in by_topic.items():
            metrics.FEED_LAG.labels(label).set(behind)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("kafka feed task %s stopped", task.get_name(), exc_info=exc)
