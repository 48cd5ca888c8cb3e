"""The station agent's figures pass their final protocols on to the forensics agent once per
change: a station's figures re-sent with the same protocol are not forwarded again."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from services.aggregator.domain.station_view import station_stats
from services.aggregator.forensics_agent import ForensicsAgent, decode_protocol
from services.common.contracts import events as ev
from tests.unit.aggregator.helpers import CFG, INFO, protocol, state_of, turnout


def figures(station: str, *reports: ev.Report) -> ev.StationStats:
    return station_stats(state_of(*reports, station=station), INFO, CFG)


async def test_a_protocol_is_forwarded_once_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[bytes, bytes]] = []

    async def send(app: Any, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        sent.append((key, value))

    monkeypatch.setattr("services.aggregator.forensics_agent.output.send", send)
    agent = ForensicsAgent.__new__(ForensicsAgent)
    agent.app = None  # type: ignore[assignment]
    agent.protocols_topic = SimpleNamespace(get_topic_name=lambda: "protocols")  # type: ignore[assignment]
    agent.forwarded = {}
    counted = figures("A", turnout(300, 60, "a1", station="A"), protocol(720, "a2"))
    open_only = figures("B", turnout(200, 60, "b1", station="B"))

    await agent.forward([counted, open_only])
    await agent.forward([counted])  # the same figures again (a restart re-sends every station)
    assert [key for key, _ in sent] == [b"A"]
    assert decode_protocol(sent[0][1]).valid == counted.protocol.valid_ballots  # type: ignore[union-attr]

    assert counted.protocol is not None
    recount = replace(
        counted, protocol=replace(counted.protocol, valid_ballots=counted.protocol.valid_ballots - 1)
    )
    await agent.forward([recount])
    assert [key for key, _ in sent] == [b"A", b"A"]
    assert decode_protocol(sent[1][1]).valid == counted.protocol.valid_ballots - 1
