"""faust's consumer, delivering each fetched batch in one task instead of four per message.

faust 0.15's `Consumer._drain_messages` hands every record to the conductor through
`Service.wait_first(callback(message), suspend_flow.wait())`: four tasks created, raced and three
cancelled per record, so that a rebalance (`suspend_flow`) can interrupt a delivery blocked on a
full stream buffer. At a few thousand reports a second that is a quarter of the worker's CPU.

`BatchDrainConsumer` keeps the interruption but races once per fetched batch: the records are
delivered one by one inside a single task, which a suspension cancels as before. Records it cuts
off count as read, as in faust's loop (after a rebalance faust seeks back to the committed
offsets, so nothing unacknowledged is lost). The rest of the loop (read offsets, gaps, periodic
commits, yielding every 100 records) is faust's own. Pinned to faust-streaming 0.15.3
(constraints.txt); tests/integration/aggregator exercise it on every run.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP
from faust.types.transports import TransportT

YIELD_EVERY = 100  # records delivered between two yields to the loop, as in faust


class BatchDrainConsumer(aiokafka_driver.Consumer):
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


class App(faust.App):
    """faust.App whose consumer is the BatchDrainConsumer."""

    def _new_transport(self) -> TransportT:
        return BatchDrainTransport(self.conf.broker_consumer, self)
