"""The live forensics agents: final protocols in, regional and national figures and alerts out.

Two steps, because national figures need every station in one place while station figures
are spread over six partitions and several workers:

* `forward` (called by every worker's station agent with the figures of each batch) passes
  on each station's final protocol, when it changed, to a one-partition internal topic. It
  is a call, not an agent reading the station-stats topic back: one faust event per figure
  held the worker's consumer, and with it the reports, behind its own output;
* `process` (the one worker holding that partition) keeps the protocols in a changelogged
  table and in a `LiveForensics`, and on each tick (a message in the same topic, as in the
  region agent) evaluates what changed, sends region alerts to the alerts topic (the alerts
  sink writes them to PostgreSQL) and upserts the figures into the forensics table.

The evaluation runs in a thread: at 100,000 stations the first one after a restart, or one
after the national leader changed, computes every station's exact null in a few seconds,
and the event loop must keep serving the other agents meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import struct
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import faust
import orjson

from services.aggregator import forensics_sink, output
from services.aggregator.dead_letters import dead_letter
from services.aggregator.faust_tuning import rocksdb_options
from services.aggregator.forensics_alert import ExcessAlerts
from services.aggregator.forensics_settings import ForensicsSettings
from services.aggregator.pg_writes import write_with_retry
from services.aggregator.runtime import Runtime
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError
from services.common.infra.settings import load
from services.forensics.live import LiveForensics, StationProtocol

log = logging.getLogger(__name__)
TICK = b""
# Protocols taken from the stream at a time (a national day forwards ~95,000 at once).
PROTOCOLS_BATCH = 2000
BATCH_WITHIN_S = 0.1
_RAW: dict[str, Any] = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}


def encode_protocol(p: StationProtocol) -> bytes:
    return orjson.dumps([p.region, p.registered, p.issued, p.valid, p.invalid, dict(p.votes)])


def decode_protocol(raw: bytes) -> StationProtocol:
    try:
        region, registered, issued, valid, invalid, votes = orjson.loads(raw)
        return StationProtocol(region, int(registered), int(issued), int(valid), int(invalid), votes)
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise DecodeError(f"forensics protocol: {exc}") from exc


class ForensicsAgent:
    def __init__(self, app: faust.App, rt: Runtime, settings: ForensicsSettings) -> None:
        self.app, self.rt, self.settings = app, rt, settings
        self.protocols_topic = app.topic(
            f"{app.conf.id}-forensics-protocols", partitions=1, internal=True, **_RAW
        )
        self.table = app.Table(
            "forensics-protocols", partitions=1, key_type=bytes, value_type=bytes, options=rocksdb_options()
        )
        self.alert_table = app.Table(
            "forensics-alerts", partitions=1, key_type=bytes, value_type=bytes, options=rocksdb_options()
        )
        self.live = LiveForensics(bins=settings.bins)
        self.alerts = ExcessAlerts(min_stations=settings.min_stations, threshold=settings.z)
        self.loaded = False
        self.evaluated = False
        # A digest of what this worker forwarded last per station, so resends are not passed on.
        # Not the value: orjson's output keeps a 4 KB buffer whatever its length (orjson 3.12+),
        # so holding a national day's values took hundreds of MB of the worker.
        self.forwarded: dict[bytes, bytes] = {}

    async def forward(self, figures: Sequence[ev.StationStats]) -> None:
        """Passes on the final protocols among a batch's station figures, when they changed."""
        out = self.protocols_topic.get_topic_name()
        for stats in figures:
            p = stats.protocol
            if p is None:
                continue
            key = stats.station_id.encode()
            value = encode_protocol(
                StationProtocol(
                    stats.region_id, p.registered_voters, p.ballots_issued, p.valid_ballots,
                    p.invalid_ballots, p.votes,
                )
            )  # fmt: skip
            digest = hashlib.blake2b(value, digest_size=16).digest()
            if self.forwarded.get(key) == digest:
                continue
            self.forwarded[key] = digest
            await output.send(self.app, out, key, value, partition=0)

    def _load(self) -> None:
        for key, value in self.table.items():
            self.live.upsert(key.decode(), decode_protocol(value))
        for key, value in self.alert_table.items():
            self.alerts.restore(key.decode(), value)
        self.loaded = True
        log.info("forensics: %d protocols loaded", self.live.stations)

    async def process(self, stream: Any) -> None:
        await self.rt.ready.wait()
        async for events in stream.take_events(PROTOCOLS_BATCH, within=BATCH_WITHIN_S):
            if not self.loaded:
                self._load()
            rows: list[tuple[Any, bytes, bytes]] = []
            tick: Any = None
            for event in events:
                key = event.key or TICK
                if key == TICK:
                    tick = event
                    continue
                try:
                    protocol = decode_protocol(event.value)
                except DecodeError as exc:
                    log.error("forensics: skipping %r: %s", key, exc)
                    continue
                if self.live.upsert(key.decode(), protocol):
                    rows.append((event, key, event.value))
            # One batch of changelog records (one `Table.__setitem__` each went through faust's
            # producer buffer: "producer buffer full" and commits of several seconds while a
            # national day's protocols arrived).
            await _store(self.app, self.table, rows)
            if tick is not None and (not self.evaluated or self.live.pending):
                wall = struct.unpack(">d", tick.value)[0]
                await self._evaluate(datetime.fromtimestamp(wall, UTC), tick)

    async def _evaluate(self, now: datetime, tick: Any) -> None:
        started = time.monotonic()
        snapshot = await asyncio.to_thread(self.live.evaluate, not self.evaluated)
        self.evaluated = True
        outbox = output.Outbox(self.app)
        alerts_out = self.rt.topic(topics.ALERTS).get_topic_name()
        states: list[tuple[Any, bytes, bytes]] = []
        for scope in snapshot.scopes:
            alert = self.alerts.step(scope, now)
            if alert is None:
                continue
            await outbox.add(alerts_out, alert.id.encode(), codec.encode_alert(alert))
            states.append((tick, scope.region.encode(), self.alerts.encode(scope.region)))
        await outbox.send()
        # Delivered before the table records them as sent: if that fails, the worker stops and
        # the restarted one finds them unsent and sends them again (output.py).
        await outbox.delivered()
        await _store(self.app, self.alert_table, states)
        s = self.settings
        rows = forensics_sink.rows(snapshot, now, s.z, s.min_stations)
        if rows:
            await write_with_retry(self.rt, "forensics", rows, forensics_sink.write_forensics, self._refused)
        log.debug(
            "forensics: %d scopes from %d protocols in %.3fs",
            len(rows), self.live.stations, time.monotonic() - started,
        )  # fmt: skip

    async def _refused(self, row: forensics_sink.Row, error: str) -> None:
        """A scope's figures PostgreSQL refused (a leader's name it cannot store): dead-lettered."""
        region, at, stations, summary, _fingerprint = row
        figures = {"region_id": region, "computed_at": at, "stations": stations}
        figures["summary"] = orjson.loads(summary)
        await dead_letter(self.rt, "forensics", orjson.dumps(figures), error)

    async def tick(self) -> None:
        await self.protocols_topic.send(key=TICK, value=struct.pack(">d", time.time()))


async def _store(app: faust.App, table: Any, rows: list[tuple[Any, bytes, bytes]]) -> None:
    """Writes (event, key, value) rows to a table and waits until they are delivered."""
    if not rows:
        return
    outbox = output.Outbox(app)
    await output.write_table(table, rows, outbox)
    await outbox.send()
    await outbox.delivered()


def register_forensics(
    app: faust.App, rt: Runtime, settings: ForensicsSettings | None = None
) -> ForensicsAgent | None:
    """Adds the forensics agent and its tick to the aggregator app (None when disabled); the
    station agent hands it each batch's figures (`ForensicsAgent.forward`)."""
    s = settings or load(ForensicsSettings)
    if not s.enabled:
        return None
    agent = ForensicsAgent(app, rt, s)
    app.agent(agent.protocols_topic, name="forensics")(agent.process)

    async def tick() -> None:
        if rt.ready.is_set():
            await agent.tick()

    app.timer(interval=s.interval_s)(tick)
    return agent
