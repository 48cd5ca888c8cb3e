from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np

from services.common import events as ev
from services.common.forensics.protocols import Protocols
from services.simulator.batch_sender import MAX_BATCH, batches
from services.simulator.payloads import report_json
from services.simulator.replay_model import replay_registry, replay_reports

OPENING = datetime(2012, 3, 4, 4, tzinfo=UTC)


def protocols() -> Protocols:
    return Protocols(
        name="test",
        station_ids=("North|T1|1", "North|T1|2", "South|T9|7"),
        region=np.array([0, 0, 1], dtype=np.int32),
        region_names=("North", "South"),
        registered=np.array([1000, 800, 1500]),
        issued=np.array([640, 500, 1490]),
        valid=np.array([630, 490, 1480]),
        invalid=np.array([8, 10, 5]),
        home_issued=np.array([20, 0, 400]),
        leader=np.array([400, 200, 1470]),
        leader_name="Leader",
        candidate_votes=np.array([[400, 230], [200, 290], [1470, 10]]),
        candidate_names=("Leader", "Other"),
    )


def test_registry_keeps_regions_and_station_sizes() -> None:
    registry = replay_registry(protocols())
    assert [(r.id, r.name) for r in registry.regions] == [("R01", "North"), ("R02", "South")]
    assert [s.id for s in registry.stations] == ["R01:T1|1", "R01:T1|2", "R02:T9|7"]
    assert [s.registered_voters for s in registry.stations] == [1000, 800, 1500]


def test_reports_end_at_the_published_figures() -> None:
    p = protocols()
    registry = replay_registry(p)
    reports = replay_reports(p, registry, OPENING, "run")
    assert len(reports) == 3 * 6
    assert p.home_issued is not None
    assert p.candidate_votes is not None
    for i, station in enumerate(registry.stations):
        mine = [r.body for r in reports if r.station_id == station.id]
        turnouts = [b for b in mine if isinstance(b, ev.TurnoutUpdate)]
        assert [t.ballots_issued for t in turnouts] == sorted(t.ballots_issued for t in turnouts)
        assert turnouts[-1].ballots_issued == int(p.issued[i])
        assert turnouts[-1].home_voting_applications == int(p.home_issued[i])
        protocol = mine[-1]
        assert isinstance(protocol, ev.FinalProtocol)
        assert protocol.ballots_cast == int(p.valid[i] + p.invalid[i])
        assert dict(protocol.votes) == dict(
            zip(("Leader", "Other"), map(int, p.candidate_votes[i]), strict=True)
        )
    assert [r.observed_at for r in reports] == sorted(r.observed_at for r in reports)


def test_batches_group_by_token_and_cap_the_size() -> None:
    payloads = [{"station_id": f"S{i % 3}", "id": str(i)} for i in range(2 * MAX_BATCH + 10)]
    work = batches(lambda sid: "even" if sid in ("S0", "S2") else "odd", payloads)
    assert all(len(b.reports) <= MAX_BATCH for b in work)
    sizes: Counter[str] = Counter()
    for b in work:
        sizes[b.token] += len(b.reports)
        assert {p["station_id"] in ("S0", "S2") for p in b.reports} == {b.token == "even"}
    assert sum(sizes.values()) == len(payloads)


def test_report_json_carries_one_body() -> None:
    p = protocols()
    reports = replay_reports(p, replay_registry(p), OPENING, "run")
    turnout = report_json(reports[0])
    assert set(turnout) == {"id", "station_id", "observed_at", "turnout"}
    protocol = report_json(reports[-1])
    assert protocol["protocol"]["votes"] == {"Leader": 1470, "Other": 10}
    assert protocol["observed_at"].endswith("+00:00")
