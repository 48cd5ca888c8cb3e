"""faust's private parts (written for faust-streaming 0.15; services/patches/registry.py).

- `faust.batch_drain`: faust's `Consumer._drain_messages` hands every record to the conductor
  through `Service.wait_first(callback(message), suspend_flow.wait())`: four tasks created,
  raced and three cancelled per record, so that a rebalance (`suspend_flow`) can interrupt a
  delivery blocked on a full stream buffer; a quarter of the worker's CPU. `BatchDrainConsumer`
  races once per fetched batch: the records are delivered one by one inside a single task,
  which a suspension cancels as before. Records it cuts off count as read, as in faust's loop
  (after a rebalance faust seeks back to the committed offsets). The rest of the loop (read
  offsets, gaps, periodic commits, yielding every 100 records) is faust's own.
- `faust.paced_fetch`: faust's aiokafka consumer asks for at least 1 byte, so while reports
  trickle in every fetch returns a handful of records. Fetches wait up to `fetch_wait_ms` for
  `FETCH_MIN_BYTES` instead (aiokafka's `_fetch_min_bytes`, `_fetch_max_wait_ms`).
- `faust.quiet_monitor`: faust calls its Monitor four times per record to keep counters for web
  views pollwatch does not serve. `QuietMonitor` keeps the one figure faust reads: when each
  partition's stream last took an event (its liveness check).
- `faust.outbox_batches`: the aiokafka producer under faust's (`_ensure_producer`), so that the
  aggregator's Outbox appends records to aiokafka batches (services/aggregator/output.py).
- `faust.passive_stream`: the stream drained by faust's own passive drainer, as `take_events`
  does (`_enable_passive`, `_processors`; services/aggregator/collector.py).
- `faust.current_event`: sets faust's current event (`faust.streams._current_event`), which
  decides the partition a table write goes to (services/aggregator/event_context.py). No stock
  path: faust has no public setter.

tests/unit/aggregator/test_faust_tuning.py and tests/integration/aggregator exercise them.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable
from time import monotonic
from typing import Any

import faust
from faust.sensors import Monitor
from faust.streams import _current_event
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP

from services import patches

YIELD_EVERY = 100  # records delivered between two yields to the loop, as in faust
FETCH_MIN_BYTES = 64 * 1024
DEFAULT_FETCH_WAIT_MS = 20


class PacedConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # faust passes no fetch_min_bytes and a fixed fetch_max_wait_ms; aiokafka reads both
        # when the consumer starts.
        consumer._fetch_min_bytes = FETCH_MIN_BYTES
        consumer._fetch_max_wait_ms = getattr(self.app, "fetch_wait_ms", DEFAULT_FETCH_WAIT_MS)
        return consumer


class BatchDrainConsumer(aiokafka_driver.Consumer):
    """faust's aiokafka Consumer with the batch drain and paced fetches, each when enabled."""

    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        if patches.enabled("faust.paced_fetch"):
            return PacedConsumerThread(self, loop=self.loop, beacon=self.beacon)
        return super()._new_consumer_thread()

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover - faust's thread
        if not patches.enabled("faust.batch_drain"):
            return await super()._drain_messages(fetcher)
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


def transport_class() -> type[aiokafka_driver.Transport] | None:
    """The transport for the enabled consumer patches (None: faust's own)."""
    if patches.enabled("faust.batch_drain") or patches.enabled("faust.paced_fetch"):
        return BatchDrainTransport
    return None


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


def monitor_class() -> type[Monitor]:
    return QuietMonitor if patches.enabled("faust.quiet_monitor") else Monitor


def aiokafka_producer(app: faust.App) -> Any:
    """The aiokafka producer under faust's (its driver has no public accessor)."""
    producer: Any = app.producer
    return producer._ensure_producer()


def drain_passively(stream: Any, processor: Callable[[Any], Any]) -> Callable[[], None]:
    """Runs `processor` on every value of `stream`, drained in the background by faust's passive
    drainer (as `take_events`); returns what removes the processor again."""
    stream.add_processor(processor)
    stream._enable_passive(aiter(stream.channel))
    return lambda: stream._processors.remove(processor)


def set_current_event(event: Any) -> contextvars.Token[Any]:
    """Makes `event` faust's current event (undo with `reset_current_event`)."""
    return _current_event.set(weakref.ref(event))


def reset_current_event(token: contextvars.Token[Any]) -> None:
    _current_event.reset(token)
