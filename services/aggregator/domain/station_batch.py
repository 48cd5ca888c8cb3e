"""One station batch as plain data: records in, what must happen out (no I/O, no faust).

`read_batch` decodes the records (those that do not decode become dead letters) and
`apply_batch` applies the reports in order, running the station rules after each one (so
alerts never depend on where a batch ends), and returns a `BatchResult`: the alert
transitions, once per station changed its figures and encoded state, and the dead letters.
Delivering them and committing the batch is the station agent's (station_agent.py).

Both are coroutines only to let the worker's other agents run between slices of a national
batch (slices.py); they await nothing else. The states they apply reports to are the caller's
(`state_of`), changed in place, as the next batch must see them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_rules import HELD, evaluate
from services.aggregator.domain.station_state import Applied, StationInfo, StationState
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.slices import sliced
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError


@dataclass(frozen=True, slots=True)
class Record:
    """A record as read: where it was (its place in the batch, partition, offset) and its bytes."""

    at: int
    partition: int
    offset: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class ReadReport:
    """A report decoded from `record`."""

    record: Record
    report: ev.Report


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that could not be processed, and why."""

    record: Record
    error: str


@dataclass(slots=True)
class ReadBatch:
    reports: list[ReadReport] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    # Per partition read, the newest observed_at of its reports.
    newest: dict[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StateRecord:
    """A station's state after the batch, encoded (later batches change the state itself), with
    the place in the batch of its newest report (the table writes in that record's partition)
    and that report's times (for the latency metrics)."""

    station_id: str
    at: int
    value: bytes
    observed_at: datetime
    received_at: datetime


@dataclass(slots=True)
class BatchResult:
    alerts: list[ev.Alert] = field(default_factory=list)
    figures: list[ev.StationStats] = field(default_factory=list)
    state_records: list[StateRecord] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    # Reports by (kind, outcome: new, duplicate, ...).
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)


async def read_batch(records: Sequence[Record], decode: Callable[[bytes], ev.Report]) -> ReadBatch:
    """Decodes `records`; `decode` raises `DecodeError` for one it cannot read."""
    out = ReadBatch()
    async for record in sliced(records):
        try:
            report = decode(record.payload)
        except DecodeError as exc:
            out.dead_letters.append(DeadLetter(record, str(exc)))
            continue
        out.reports.append(ReadReport(record, report))
        held = out.newest.get(record.partition)
        if held is None or report.observed_at > held:
            out.newest[record.partition] = report.observed_at
    return out


async def apply_batch(
    read: ReadBatch,
    state_of: Callable[[str, int], StationState],
    info_of: Callable[[str], StationInfo],
    rules: RulesConfig,
    dedup_s: float,
    encode_state: Callable[[StationState], bytes],
) -> BatchResult:
    """Applies `read`'s reports to the states `state_of(station_id, at)` returns (`at`: the
    report's place in the batch) and evaluates the station rules after each new one."""
    result = BatchResult(dead_letters=list(read.dead_letters))
    touched: dict[str, tuple[ReadReport, StationState]] = {}
    async for item in sliced(read.reports):
        report = item.report
        state = state_of(report.station_id, item.record.at)
        outcome = state.apply(report, dedup_s)
        result.counts[(report.kind.value, outcome.value)] += 1
        if outcome is not Applied.NEW or state.last_at is None:
            continue
        info = info_of(report.station_id)
        conditions = evaluate(state, info, rules, report)
        result.alerts += state.alerts.step(
            report.station_id, info.region_id, conditions, at(state.last_at), HELD
        )
        touched[report.station_id] = (item, state)
    async for station_id, (item, state) in sliced(touched.items()):
        result.figures.append(station_stats(state, info_of(station_id), rules))
        report = item.report
        value = encode_state(state)
        result.state_records.append(
            StateRecord(station_id, item.record.at, value, report.observed_at, report.received_at)
        )
    return result


def batch_marks(
    newest: Mapping[int, datetime], handled: Mapping[int, int], highwater: Callable[[int], int | None]
) -> list[PartitionMark]:
    """How far a batch read each of its partitions (for the region agent's silence time): its
    newest report, and whether reports wait behind the batch (the partition's high water beyond
    the last offset `handled`)."""
    out = []
    for partition, read_to in newest.items():
        high = highwater(partition)
        done = handled.get(partition, -1)
        out.append(PartitionMark(partition, read_to, high is not None and done < high - 1))
    return out
