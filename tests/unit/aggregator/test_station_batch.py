"""The station pipeline's pure step: records in, a BatchResult out (no broker, no database)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.domain.station_batch import BatchResult, Record, apply_batch, read_batch
from services.aggregator.domain.station_state import StationInfo, StationState
from services.aggregator.state_codec import decode_state, encode_state
from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.unit.aggregator.helpers import CFG, DEDUP_S, T0, incident, turnout

V = ev.ViolationType


def records(*items: ev.Report | bytes, partition: int = 0) -> list[Record]:
    return [
        Record(n, partition, 100 + n, i if isinstance(i, bytes) else codec.encode_report(i))
        for n, i in enumerate(items)
    ]


async def run(items: list[Record], states: dict[str, StationState]) -> BatchResult:
    def state_of(station_id: str, at: int) -> StationState:
        return states.setdefault(station_id, StationState(station_id))

    read = await read_batch(items, codec.decode_report)
    return await apply_batch(read, state_of, lambda _: StationInfo("ALA", 1000), CFG, DEDUP_S, encode_state)


async def test_a_batch_gives_its_alerts_figures_and_states_once_per_station_and_dead_letters() -> None:
    states: dict[str, StationState] = {}
    batch = records(
        turnout(10, 0, "t1", station="A"),
        b"\x00\x01 not a report",
        incident(V.FAMILY_VOTING, 5, "i1", station="A"),
        turnout(10, 0, "t1", station="A"),  # the same report again
        turnout(30, 7, "t2", station="B"),
        partition=3,
    )
    result = await run(batch, states)

    assert [(a.rule, a.station_id, a.transition) for a in result.alerts] == [
        ("violation_reported", "A", ev.AlertTransition.OPENED)
    ]
    assert [(f.station_id, f.reports_processed) for f in result.figures] == [("A", 2), ("B", 1)]
    # Each state record is the station's state after the batch, in the record of its newest report.
    assert [(s.station_id, s.at) for s in result.state_records] == [("A", 2), ("B", 4)]
    assert decode_state(result.state_records[0].value) == states["A"]
    assert result.state_records[1].observed_at == T0 + timedelta(minutes=7)
    assert [(d.record.partition, d.record.offset) for d in result.dead_letters] == [(3, 101)]
    assert result.counts == {("turnout", "new"): 2, ("incident", "new"): 1, ("turnout", "duplicate"): 1}


async def test_the_batch_s_newest_report_per_partition_is_read() -> None:
    other = Record(2, 1, 0, codec.encode_report(turnout(3, 1, "c")))
    read = await read_batch([*records(turnout(1, 9, "a"), turnout(2, 4, "b")), other], codec.decode_report)
    assert read.newest == {0: T0 + timedelta(minutes=9), 1: T0 + timedelta(minutes=1)}


REPORTS = [
    turnout(10, 0, "t0", station="A"),
    incident(V.FAMILY_VOTING, 2, "i0", station="A"),
    incident(V.FAMILY_VOTING, 3, "i1", monitor="mon-2", station="A"),
    turnout(40, 30, "t1", station="B"),
    turnout(12, 70, "t2", station="A"),
    incident(V.BALLOT_STUFFING, 80, "i2", station="B"),
    turnout(90, 95, "t3", station="B"),
]


@settings(max_examples=30, deadline=None)
@given(cuts=st.sets(st.integers(1, len(REPORTS) - 1)))
async def test_alerts_do_not_depend_on_where_batches_end(cuts: set[int]) -> None:
    whole = await run(records(*REPORTS), {})
    states: dict[str, StationState] = {}
    alerts: list[ev.Alert] = []
    bounds = [0, *sorted(cuts), len(REPORTS)]
    for start, end in itertools.pairwise(bounds):
        alerts += (await run(records(*REPORTS[start:end]), states)).alerts
    assert whole.alerts != []
    assert alerts == whole.alerts
