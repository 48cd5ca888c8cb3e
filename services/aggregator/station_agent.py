"""The station agent: reports in, station state updated once per report id, alerts out.

Figures are conflated: the agent marks a station dirty and a timer sends the latest figures of
dirty stations every `flush_interval_ms`. After a restart every station is re-sent once, so
figures whose send was lost with the crash are published again.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import faust

from services.aggregator import metrics
from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_state import Applied, StationState
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.registry import info_for
from services.aggregator.runtime import Runtime
from services.aggregator.state_codec import decode_state, encode_state
from services.common import codec, topics
from services.common import events as ev
from services.common.errors import DecodeError

log = logging.getLogger(__name__)


class StationAgent:
    def __init__(self, app: faust.App, rt: Runtime, summaries: Any) -> None:
        self.app, self.rt, self.summaries = app, rt, summaries
        self.table = app.Table(
            "station-state",
            # bytes -> faust's "raw" serializer for the table and its changelog.
            key_type=bytes,
            value_type=bytes,
            partitions=topics.REPORTS.partitions,
        )
        self.cache: dict[str, StationState] = {}
        # station id -> (observed_at, received_at) of the newest report applied since the last send
        self.dirty: dict[str, tuple[datetime, datetime] | None] = {}
        self.dedup_s = rt.rules.windows.dedup_hours * 3600

    def state(self, station_id: str) -> StationState:
        state = self.cache.get(station_id)
        if state is None:
            raw = self.table.get(station_id.encode())
            state = decode_state(raw) if raw is not None else StationState(station_id)
            self.cache[station_id] = state
        return state

    async def process(self, stream: Any) -> None:
        await self.rt.ready.wait()
        dead = self.rt.topic(topics.DEAD_LETTER)
        alerts = self.rt.topic(topics.ALERTS)
        async for event in stream.events():
            message = event.message
            self.rt.positions[message.partition] = message.offset
            try:
                report = codec.decode_report(event.value)
            except DecodeError as exc:
                metrics.EVENTS.labels("unknown", "undecodable").inc()
                metrics.DEAD_LETTERS.labels(message.topic).inc()
                log.warning(
                    "dead-lettered %s[%d]@%d: %s", message.topic, message.partition, message.offset, exc
                )
                letter = ev.DeadLetter(
                    source=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    payload=bytes(event.value or b""),
                    error=str(exc),
                    failed_at=datetime.now(UTC),
                )
                await dead.send(key=message.topic.encode(), value=codec.encode_dead_letter(letter))
                continue
            state = self.state(report.station_id)
            outcome = state.apply(report, self.dedup_s)
            metrics.EVENTS.labels(report.kind.value, outcome.value).inc()
            if outcome is not Applied.NEW or state.last_at is None:
                continue
            info = info_for(self.rt.registry, report.station_id)
            moved = state.alerts.step(
                report.station_id, info.region_id, evaluate(state, info, self.rt.rules), at(state.last_at)
            )
            self.table[report.station_id.encode()] = encode_state(state)
            for alert in moved:
                metrics.ALERTS.labels(alert.rule, alert.transition.value).inc()
                await alerts.send(key=alert.id.encode(), value=codec.encode_alert(alert))
            self.dirty[report.station_id] = (report.observed_at, report.received_at)

    async def flush(self) -> None:
        """Sends the latest figures of every station changed since the last flush."""
        if not self.dirty:
            return
        dirty, self.dirty = self.dirty, {}
        out = self.rt.topic(topics.STATION_STATS)
        for station_id, times in dirty.items():
            state = self.cache.get(station_id)
            if state is None:
                continue
            stats = station_stats(state, info_for(self.rt.registry, station_id), self.rt.rules)
            value = codec.encode_station_stats(stats)
            await out.send(key=station_id.encode(), value=value)
            await self.summaries.send(key=station_id.encode(), value=value)
            if times is not None:
                now = datetime.now(UTC)
                metrics.LATENCY_OBSERVED.observe(max(0.0, (now - times[0]).total_seconds()))
                metrics.LATENCY_RECEIVED.observe(max(0.0, (now - times[1]).total_seconds()))
        metrics.STATS_SENT.labels("station").inc(len(dirty))

    def resend_all(self) -> int:
        """Marks every station held locally as dirty (after recovery); returns how many."""
        started = time.monotonic()
        count = 0
        for _key, raw in self.table.items():
            state = decode_state(raw)
            self.cache[state.station_id] = state
            if state.last_at is not None:
                self.dirty.setdefault(state.station_id, None)
            count += 1
        log.info("re-sending figures of %d stations (%.2fs)", count, time.monotonic() - started)
        return count

    def forget(self) -> None:
        """Drops the cache (partitions moved: the table is the truth)."""
        self.cache.clear()
