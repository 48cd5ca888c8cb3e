"""The station agent with fake ports (tests/unit/aggregator/station_fakes.py): what each batch
delivers where, in which order, and that it is acked only once every delivery succeeded."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.aggregator import station_agent
from services.aggregator.domain.partition_marks import PartitionMark
from services.aggregator.output import DeliveryError
from services.common.contracts import events as ev
from tests.unit.aggregator.helpers import T0, incident, turnout
from tests.unit.aggregator.station_fakes import Gate, Ports, events, finished, settle

V = ev.ViolationType


def transitions(alerts: list[ev.Alert]) -> list[tuple[str, str, str]]:
    return [(a.rule, a.station_id, a.transition.value) for a in alerts]


async def test_a_batch_is_delivered_everywhere_then_acked() -> None:
    ports = Ports(high={0: 3})
    agent = ports.agent()
    batch = events(
        turnout(10, 0, "t1", station="A"),
        incident(V.FAMILY_VOTING, 5, "i1", station="A"),
        turnout(20, 10, "t2", station="B"),
    )
    await agent.handle(batch)
    await finished(agent)

    assert transitions(ports.outbox.alerts) == [("violation_reported", "A", "opened")]
    assert ports.outbox.figures == ["A", "B"]  # once per station changed
    assert ports.read_model.reports == ["t1", "i1", "t2"]
    assert ports.log[-3:] == ["figures ['A', 'B']", "feed ['A', 'B']", "marks"]
    # Offset 2 was the partition's last (high water 3): nothing waits behind the batch.
    assert ports.feed.marks_sent == [[PartitionMark(0, T0 + timedelta(minutes=10), False)]]
    assert ports.table.saves == [["A", "B"]]
    assert ports.acker.held == [0, 1, 2]
    assert ports.acker.acked == [0, 1, 2]
    assert ports.stops == []


async def test_alerts_the_outbox_fails_to_deliver_leave_the_batch_unsaved_and_unacked() -> None:
    ports = Ports()
    agent = ports.agent()
    ports.outbox.fail_next()
    await agent.handle(events(incident(V.FAMILY_VOTING, 5, "i1", station="A")))
    await finished(agent)

    assert transitions(ports.outbox.alerts) == [("violation_reported", "A", "opened")]
    assert ports.acker.held == [0]
    assert ports.acker.acked == []
    assert ports.table.saves == []  # nothing records the alert as sent
    assert [type(e) for e in ports.stops] == [DeliveryError]
    with pytest.raises(DeliveryError):
        await agent.handle(events(turnout(1, 6, "t1", station="B"), first=1))


async def test_after_a_failed_delivery_the_replayed_batch_sends_the_alert_again() -> None:
    ports = Ports()
    ports.outbox.fail_next()
    batch = events(turnout(10, 0, "t1", station="A"), incident(V.FAMILY_VOTING, 5, "i1", station="A"))
    first = ports.agent()
    await first.handle(batch)
    await finished(first)
    assert ports.acker.acked == []

    restarted = ports.agent()  # the same table, a fresh cache: the worker after its restart
    await restarted.handle(batch)
    await finished(restarted)
    assert transitions(ports.outbox.alerts) == [("violation_reported", "A", "opened")] * 2
    assert ports.acker.acked == [0, 1]
    assert ports.table.saves == [["A"]]

    again = ports.agent()  # replayed once more (acked, but say the commit was lost): no alert
    await again.handle(batch)
    await finished(again)
    assert len(ports.outbox.alerts) == 2
    assert ports.acker.acked == [0, 1, 0, 1]


async def test_states_wait_for_the_alerts_delivery_and_the_ack_for_the_states() -> None:
    ports = Ports()
    agent = ports.agent()
    gate = ports.outbox.hold_next()
    await agent.handle(events(incident(V.FAMILY_VOTING, 5, "i1", station="A")))
    await settle()
    # The PostgreSQL writes and the region feed go on; the alert is on its way.
    assert ports.log == ["reports ['i1']", "figures start ['A']", "figures ['A']", "feed ['A']", "marks"]
    assert ports.table.saves == []
    assert ports.acker.acked == []
    gate.open()
    await finished(agent)
    assert ports.table.saves == [["A"]]
    assert ports.acker.acked == [0]


async def test_undecodable_records_go_to_the_dead_letter_port_and_the_batch_goes_on() -> None:
    ports = Ports()
    agent = ports.agent()
    await agent.handle(events(b"\xff\xfe not a report", turnout(10, 0, "t1", station="A"), partition=4))
    await finished(agent)

    assert [(d.record.partition, d.record.offset, d.record.payload) for d in ports.dead_letters.letters] == [
        (4, 0, b"\xff\xfe not a report")
    ]
    assert ports.dead_letters.letters[0].error != ""
    assert ports.read_model.reports == ["t1"]
    assert ports.acker.acked == [0, 1]


async def test_batches_are_delivered_in_order_and_acked_only_after_their_writes() -> None:
    ports = Ports()
    agent = ports.agent()
    ports.read_model.figures_gate = Gate(open_=False)
    await agent.handle(events(turnout(10, 0, "t1", station="A")))
    await agent.handle(events(turnout(20, 1, "t2", station="B"), first=1))
    await settle()
    # The second batch's writes wait for the first's, however quick they would be.
    assert sorted(ports.log) == ["figures start ['A']", "reports ['t1']", "reports ['t2']"]
    assert ports.acker.held == [0, 1]
    assert ports.acker.acked == []
    ports.read_model.figures_gate.open()
    await finished(agent)
    assert ports.acker.acked == [0, 1]
    assert [line for line in ports.log if line.startswith("figures")] == [
        "figures start ['A']",
        "figures ['A']",
        "figures start ['B']",
        "figures ['B']",
    ]


async def test_the_raw_reports_write_is_awaited_before_the_batch_is_acked() -> None:
    ports = Ports()
    agent = ports.agent()
    ports.read_model.reports_gate = Gate(open_=False)
    await agent.handle(events(turnout(10, 0, "t1", station="A")))
    await settle()
    assert ports.acker.acked == []
    ports.read_model.reports_gate.open()
    await finished(agent)
    assert ports.acker.acked == [0]


async def test_a_failed_write_stops_the_worker_and_leaves_its_batch_unacked() -> None:
    ports = Ports()
    agent = ports.agent()
    ports.read_model.figures_error = RuntimeError("figures rejected")
    await agent.handle(events(turnout(10, 0, "t1", station="A")))
    await finished(agent)
    # No next batch needed: the worker is stopped as soon as the write fails.
    assert [str(e) for e in ports.stops] == ["figures rejected"]
    assert ports.acker.acked == []


async def test_at_most_persist_ahead_batches_are_pending_when_a_batch_starts() -> None:
    ports = Ports()
    agent = ports.agent()
    ports.read_model.figures_gate = Gate(open_=False)
    for n in range(station_agent.PERSIST_AHEAD):
        await agent.handle(events(turnout(10, n, f"t{n}", station="A"), first=n))
    third = asyncio.ensure_future(agent.handle(events(turnout(10, 9, "t9", station="A"), first=9)))
    await settle()
    assert not third.done()  # two batches' deliveries pending: the third must wait
    ports.read_model.figures_gate.open()
    await third
    await finished(agent)
    assert ports.acker.acked == [0, 1, 9]


async def test_stopping_waits_for_pending_deliveries_and_gives_up_on_stuck_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(station_agent, "STOP_WAIT_S", 0.2)
    ports = Ports()
    agent = ports.agent()
    await agent.handle(events(turnout(10, 0, "t1", station="A")))
    await finished(agent)
    ports.read_model.figures_gate = Gate(open_=False)  # PostgreSQL down: retrying until cancelled
    await agent.handle(events(turnout(20, 1, "t2", station="A"), first=1))
    await agent._drain_persisting()
    assert ports.acker.acked == [0]  # the stuck batch stays unacked: replayed after a restart
    assert not agent.persisting
    assert ports.stops == []


async def test_recovery_resends_the_figures_of_every_station_held() -> None:
    ports = Ports()
    agent = ports.agent()
    await agent.handle(events(turnout(10, 0, "t1", station="A"), turnout(20, 1, "t2", station="B")))
    await finished(agent)

    restarted = ports.agent()
    assert await restarted.resend_all() == 2
    await restarted.flush(chunk=1)
    await restarted.flush(chunk=1)
    assert ports.outbox.figures == ["A", "B", "A", "B"]
    assert ports.log[-2:] == ["figures ['B']", "feed ['B']"]
    assert not restarted.resend
