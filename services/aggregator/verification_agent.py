"""The verifications agent: a coordinator's decision that moves a report in or out of the
figures (rejected or quarantined reports count for nothing) recomputes its station.

Per decision, with the station agent's turn held (turns.py: no batch runs meanwhile):
1. the writes of batches already handled land (so PostgreSQL holds every report applied);
2. the station's counting reports are read back from PostgreSQL and the state is rebuilt from
   them (domain/recompute.py), keeping the ids seen, the clock and the alert book;
3. the rules run on it (held rules too: an alert whose reports were all rejected resolves);
   its alerts and figures go out as the station agent sends them, the state is written to the
   table once they are delivered, then the figures to PostgreSQL and to the region agent, which
   re-rolls the region on its next tick; the station's turnout chart is rewritten.
The decision's event is acked after all that: a crash replays it, and a recomputation is
idempotent. The verifications topic has the reports' key and partition count, so faust gives
this worker the decisions of the stations whose states it holds, and the state's changelog
record goes to the station's own partition.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from services.aggregator import metrics, report_rows
from services.aggregator.dead_letters import dead_letter
from services.aggregator.domain.recompute import recompute
from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.registry import info_for
from services.aggregator.runtime import Runtime
from services.aggregator.state_codec import encode_state
from services.aggregator.station_agent import StationAgent
from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError

log = logging.getLogger(__name__)


class VerificationAgent:
    def __init__(self, rt: Runtime, stations: StationAgent) -> None:
        self.rt, self.stations = rt, stations

    async def process(self, stream: Any) -> None:
        await self.rt.ready.wait()
        async for event in stream.events():
            try:
                decision = codec.decode_verification_decision(event.value)
            except DecodeError as exc:
                m = event.message
                payload = bytes(event.value or b"")
                await dead_letter(self.rt, m.topic, payload, str(exc), m.partition, m.offset)
                continue
            if decision.moves_figures and decision.station_id:
                await self.recompute(decision.station_id, event)

    async def recompute(self, station_id: str, event: Any) -> None:
        """Rebuilds `station_id` from its counting reports and publishes it through the station
        agent's ports (module docstring)."""
        stations, rt = self.stations, self.rt
        assert rt.pool is not None
        async with stations.turns.lock:
            pending = list(stations.persisting)
            if pending:
                await asyncio.wait(pending)
            async with rt.pool.acquire() as conn:
                counting = await report_rows.counting_reports(conn, station_id)
            previous = stations.state(station_id, event)
            if previous.last_at is None and not counting:
                return  # a station this worker never saw: nothing to recompute
            state = recompute(previous, counting, stations.dedup_s)
            info = info_for(rt.registry, station_id)
            alerts: list[ev.Alert] = []
            figures: list[ev.StationStats] = []
            if state.last_at is not None:
                conditions = evaluate(state, info, rt.rules)
                alerts = list(state.alerts.step(station_id, info.region_id, conditions, at(state.last_at)))
                figures = [station_stats(state, info, rt.rules)]
            for alert in alerts:
                metrics.alert_sent(alert)
            stations.cache[station_id] = state
            value = stations.unsaved[station_id] = encode_state(state)
            values = [codec.encode_station_stats(f) for f in figures]
            sent = await stations.outbox.publish(
                alerts, [(f.station_id, v) for f, v in zip(figures, values, strict=True)]
            )
            await stations.save(sent, [(event, station_id, value)])
            await stations.read_model.write_figures(figures, values)
            await stations.region_feed.figures(figures, values)
            async with rt.pool.acquire() as conn:
                await report_rows.rewrite_turnout_series(conn, station_id, counting, info.registered_voters)
        metrics.RECOMPUTED.inc()
        log.info("station %s recomputed from %d counting reports", station_id, len(counting))
