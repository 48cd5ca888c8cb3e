"""faust, tuned for thousands of records a second on one worker (faust-streaming 0.15.3, pinned in
constraints.txt; tests/integration/aggregator exercise all of it on every run).

- Batch delivery. faust's `Consumer._drain_messages` hands every record to the conductor through
  `Service.wait_first(callback(message), suspend_flow.wait())`: four tasks created, raced and
  three cancelled per record, so that a rebalance (`suspend_flow`) can interrupt a delivery blocked
  on a full stream buffer; a quarter of the worker's CPU. `BatchDrainConsumer` keeps the
  interruption but races once per fetched batch: the records are delivered one by one inside a
  single task, which a suspension cancels as before. Records it cuts off count as read, as in
  faust's loop (after a rebalance faust seeks back to the committed offsets, so nothing
  unacknowledged is lost). The rest of the loop (read offsets, gaps, periodic commits, yielding
  every 100 records) is faust's own.
- Paced fetches. faust's aiokafka consumer asks for at least 1 byte, so while reports trickle in
  every fetch returns a handful of records and each pays the cross-thread hop and getmany round
  again. Fetches wait up to `fetch_wait_ms` for `FETCH_MIN_BYTES` instead (a backlog still
  returns at once): ~15% less worker CPU at 2,000 reports/s, for at most that much latency.
- Smaller RocksDB buffers (`rocksdb_options`). faust's defaults are sized for a dedicated
  server: 64 MB memtables, three per database (one database per table partition: 6 for the
  station state), and a 2 GB block cache. Station state is read from RocksDB once per station
  (then cached in Python), so a small cache and 16 MB memtables keep a national day's replay
  from holding hundreds of MB of memtables.
- A quiet Monitor. faust calls its Monitor sensor four times per record (message in/out, stream
  event in/out) to keep counters for its own web views, which pollwatch does not serve (its
  metrics are services/aggregator/metrics.py): ~3% of the worker. It keeps the one figure faust
  itself reads: when each partition's stream last took an event (without it, faust's liveness
  check logs "Stream has not started processing" every few seconds for every partition with a
  backlog, from 5 minutes after start). The rest is kept.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any

import faust
from faust.sensors import Monitor
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP
from faust.types.transports import TransportT

YIELD_EVERY = 100  # records delivered between two yields to the loop, as in faust
FETCH_MIN_BYTES = 64 * 1024


def rocksdb_options() -> dict[str, Any]:
    """Options for an aggregator table's RocksDB store (a new dict: faust consumes it)."""
    return {
        "write_buffer_size": 16 * 1024**2,
        "max_write_buffer_number": 2,
        "block_cache_size": 32 * 1024**2,
    }


class PacedConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # faust passes no fetch_min_bytes and a fixed fetch_max_wait_ms; aiokafka reads both
        # when the consumer starts.
        consumer._fetch_min_bytes = FETCH_MIN_BYTES
        consumer._fetch_max_wait_ms = getattr(self.app, "fetch_wait_ms", App.fetch_wait_ms)
        return consumer


class BatchDrainConsumer(aiokafka_driver.Consumer):
    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return PacedConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover - faust's thread
        consumer_stopped = self._stopped.is_set
        fetcher_stopped = fetcher._stopped.is_set
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                self.diag.set_flag(CONSUMER_FETCHING)
                batch = [item async for item in self.getmany(timeout=1.0)]
                # getmany may return at once in a loop: let the rest of the loop run.
                await self.sleep(0)
                if batch and not self.should_stop:
                    await self.wait_first(self._deliver(batch), self.suspend_flow.wait())
                    self._mark_read(batch)
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)

    async def _deliver(self, batch: list[tuple[TP, Any]]) -> None:
        """faust's per-record body: skip what was read already, note gaps, commit every
        `commit_every` acks, hand the record to the conductor."""
        read = self._read_offset
        acks_enabled_for = self.app.topics.acks_enabled_for
        commit_every = self._commit_every
        since_yield = 0
        for tp, message in batch:
            since_yield += 1
            if since_yield > YIELD_EVERY:
                await asyncio.sleep(0)
                since_yield = 0
            offset = message.offset
            r_offset = read[tp]
            if r_offset is not None and offset < r_offset:
                continue
            if r_offset and offset - r_offset > 1 and acks_enabled_for(message.topic):
                await self._add_gap(tp, r_offset + 1, offset)
            if commit_every is not None and self._n_acked >= commit_every:
                self._n_acked = 0
                await self.commit()
            await self.callback(message)
            read[tp] = offset

    def _mark_read(self, batch: list[tuple[TP, Any]]) -> None:
        # Records a suspension cut off count as read (faust's loop does the same).
        read = self._read_offset
        for tp, message in batch:
            r_offset = read[tp]
            if r_offset is None or message.offset > r_offset:
                read[tp] = message.offset


class BatchDrainTransport(aiokafka_driver.Transport):
    Consumer = BatchDrainConsumer


class QuietMonitor(Monitor):
    def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
        pass

    def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> dict[str, Any] | None:
        # Read by faust's consumer thread to tell a working stream from a stuck one.
        self.stream_inbound_time[tp] = monotonic()
        return None

    def on_stream_event_out(
        self, tp: Any, offset: int, stream: Any, event: Any, state: dict[str, Any] | None = None
    ) -> None:
        pass

    def on_message_out(self, tp: Any, offset: int, message: Any) -> None:
        pass

    def track_tp_end_offset(self, tp: Any, offset: int) -> None:
        pass


class App(faust.App):
    """faust.App with the BatchDrainConsumer, paced fetches and (pass Monitor=QuietMonitor)
    the quiet Monitor."""

    fetch_wait_ms = 20  # set per app before it starts

    def _new_transport(self) -> TransportT:
        return BatchDrainTransport(self.conf.broker_consumer, self)
