"""Fake ports for the station agent (services/aggregator/station_ports.py): each records what it
was given, and deliveries can be held back (`gate`) or made to fail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_batch import DeadLetter, ReadReport
from services.aggregator.output import DeliveryError
from services.aggregator.runtime import Runtime
from services.aggregator.settings import AggregatorSettings
from services.aggregator.station_agent import StationAgent
from services.common.contracts import codec
from services.common.contracts import events as ev


@dataclass
class Message:
    partition: int
    offset: int
    topic: str = "reports"


@dataclass
class Event:
    message: Message
    value: bytes


def events(*items: ev.Report | bytes, partition: int = 0, first: int = 0) -> list[Event]:
    """Events of consecutive offsets of one partition; bytes stand for a record as is."""
    return [
        Event(Message(partition, first + n), i if isinstance(i, bytes) else codec.encode_report(i))
        for n, i in enumerate(items)
    ]


class Gate:
    """Open unless closed: `wait` returns at once, or once opened."""

    def __init__(self, open_: bool = True) -> None:
        self.event = asyncio.Event()
        if open_:
            self.event.set()

    def open(self) -> None:
        self.event.set()

    async def wait(self) -> None:
        await self.event.wait()


@dataclass
class Delivery:
    gate: Gate
    error: Exception | None

    async def delivered(self) -> None:
        await self.gate.wait()
        if self.error is not None:
            raise self.error


@dataclass
class FakeOutbox:
    alerts: list[ev.Alert] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    # Each publish takes the next of these (then open, delivered).
    deliveries: list[Delivery] = field(default_factory=list)

    def fail_next(self) -> Delivery:
        d = Delivery(Gate(), DeliveryError("Kafka did not take a batch: MessageSizeTooLargeError"))
        self.deliveries.append(d)
        return d

    def hold_next(self) -> Gate:
        gate = Gate(open_=False)
        self.deliveries.append(Delivery(gate, None))
        return gate

    async def publish(self, alerts: Sequence[ev.Alert], figures: Sequence[tuple[str, bytes]]) -> Delivery:
        self.alerts += alerts
        self.figures += [sid for sid, _ in figures]
        return self.deliveries.pop(0) if self.deliveries else Delivery(Gate(), None)


@dataclass
class FakeTable:
    rows: dict[str, bytes] = field(default_factory=dict)
    saves: list[list[str]] = field(default_factory=list)

    def get(self, station_id: str, event: Any) -> bytes | None:
        return self.rows.get(station_id)

    def items(self) -> Iterable[tuple[bytes, bytes]]:
        return [(k.encode(), v) for k, v in self.rows.items()]

    async def save(self, rows: Sequence[tuple[Any, str, bytes]]) -> None:
        self.saves.append([sid for _, sid, _ in rows])
        for _event, sid, value in rows:
            self.rows[sid] = value


@dataclass
class FakeReadModel:
    log: list[str]
    reports_gate: Gate = field(default_factory=Gate)
    figures_gate: Gate = field(default_factory=Gate)
    figures_error: Exception | None = None
    reports: list[str] = field(default_factory=list)

    async def write_reports(self, reports: Sequence[ReadReport]) -> None:
        await self.reports_gate.wait()
        self.reports += [r.report.id for r in reports]
        self.log.append(f"reports {[r.report.id for r in reports]}")

    async def write_figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        self.log.append(f"figures start {[f.station_id for f in figures]}")
        await self.figures_gate.wait()
        if self.figures_error is not None:
            raise self.figures_error
        self.log.append(f"figures {[f.station_id for f in figures]}")


@dataclass
class FakeFeed:
    log: list[str]
    marks_sent: list[list[PartitionMark]] = field(default_factory=list)

    async def figures(self, figures: Sequence[ev.StationStats], values: Sequence[bytes]) -> None:
        self.log.append(f"feed {[f.station_id for f in figures]}")

    async def marks(self, marks: Sequence[PartitionMark]) -> None:
        self.marks_sent.append(list(marks))
        self.log.append("marks")


@dataclass
class FakeDeadLetters:
    letters: list[DeadLetter] = field(default_factory=list)

    async def send(self, letters: Sequence[DeadLetter]) -> None:
        self.letters += letters


@dataclass
class FakeAcker:
    held: list[int] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)

    def hold(self, events: Sequence[Any]) -> None:
        self.held += [e.message.offset for e in events]

    def ack(self, events: Sequence[Any]) -> None:
        self.acked += [e.message.offset for e in events]


@dataclass
class Ports:
    """One agent's fake ports, and what they saw, in order (`log`)."""

    log: list[str] = field(default_factory=list)
    table: FakeTable = field(default_factory=FakeTable)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    dead_letters: FakeDeadLetters = field(default_factory=FakeDeadLetters)
    acker: FakeAcker = field(default_factory=FakeAcker)
    high: dict[int, int] = field(default_factory=dict)
    stops: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.read_model = FakeReadModel(self.log)
        self.feed = FakeFeed(self.log)

    async def stop(self, error: BaseException) -> None:
        self.stops.append(error)

    def agent(self, rules: RulesConfig | None = None) -> StationAgent:
        return StationAgent(
            Runtime(AggregatorSettings(), rules or RulesConfig()),
            table=self.table,
            outbox=self.outbox,
            read_model=self.read_model,
            region_feed=self.feed,
            dead_letters=self.dead_letters,
            acker=self.acker,
            highwater=self.high.get,
            stop=self.stop,
        )


async def settle() -> None:
    """Lets every ready task run a few steps."""
    for _ in range(20):
        await asyncio.sleep(0)


async def finished(agent: StationAgent) -> None:
    """Waits for every batch's deliveries (failed ones included)."""
    if agent.persisting:
        await asyncio.wait(list(agent.persisting))
    await settle()
