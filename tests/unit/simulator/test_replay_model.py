from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from services.common.contracts import events as ev
from services.forensics.protocols import Protocols
from services.simulator.batch_sender import MAX_BATCH, batches
from services.simulator.elections import BY_KEY, Election, UnknownElectionError, election_for
from services.simulator.payloads import report_json
from services.simulator.replay_model import replay_registry, replay_reports, replay_zones
from services.simulator.scenario import PlannedReport

DUMA_2011 = BY_KEY["ru-2011-duma"]
PRESIDENT_2024 = BY_KEY["ru-2024-president"]


def protocols(regions: tuple[str, str] = ("Город Москва", "Камчатский край")) -> Protocols:
    return Protocols(
        name="test",
        station_ids=(f"{regions[0]}|T1|1", f"{regions[0]}|T1|2", f"{regions[1]}|T9|7"),
        region=np.array([0, 0, 1], dtype=np.int32),
        region_names=regions,
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


def replayed(p: Protocols, election: Election = DUMA_2011) -> list[PlannedReport]:
    registry = replay_registry(p, election)
    return replay_reports(p, registry, election, replay_zones(p, election), "run")


def test_registry_keeps_regions_and_station_sizes() -> None:
    registry = replay_registry(protocols(), DUMA_2011)
    assert [(r.id, r.name, r.timezone) for r in registry.regions] == [
        ("R01", "Город Москва", "Europe/Moscow"),
        ("R02", "Камчатский край", "Asia/Kamchatka"),
    ]
    assert [s.id for s in registry.stations] == ["R01:T1|1", "R01:T1|2", "R02:T9|7"]
    assert [s.registered_voters for s in registry.stations] == [1000, 800, 1500]


def test_federal_cities_are_cities() -> None:
    p = protocols(("Город Санкт-Петербург", "Камчатский край"))
    kinds = {r.name: r.kind for r in replay_registry(p, DUMA_2011).regions}
    assert kinds == {"Город Санкт-Петербург": "city", "Камчатский край": "region"}
    p = protocols(("город Москва", "город Севастополь"))
    assert {r.kind for r in replay_registry(p, PRESIDENT_2024).regions} == {"city"}


def test_reports_end_at_the_published_figures() -> None:
    p = protocols()
    registry = replay_registry(p, DUMA_2011)
    reports = replayed(p)
    assert len(reports) == 3 * 6
    assert p.home_issued is not None
    assert p.candidate_votes is not None
    for i, station in enumerate(registry.stations):
        mine = sorted((r for r in reports if r.station_id == station.id), key=lambda r: r.observed_at)
        turnouts = [r.body for r in mine if isinstance(r.body, ev.TurnoutUpdate)]
        assert [t.ballots_issued for t in turnouts] == sorted(t.ballots_issued for t in turnouts)
        assert turnouts[-1].ballots_issued == int(p.issued[i])
        assert turnouts[-1].home_voting_applications == int(p.home_issued[i])
        protocol = mine[-1].body
        assert isinstance(protocol, ev.FinalProtocol)
        assert protocol.ballots_cast == int(p.valid[i] + p.invalid[i])
        assert dict(protocol.votes) == dict(
            zip(("Leader", "Other"), map(int, p.candidate_votes[i]), strict=True)
        )
    assert [r.observed_at for r in reports] == sorted(r.observed_at for r in reports)


def test_reports_are_at_each_regions_local_time_on_the_election_date() -> None:
    """4 December 2011: Moscow on UTC+4, Kamchatka on UTC+12; the first report is the CEC's 10:00."""
    reports = replayed(protocols())
    moscow = [r.observed_at for r in reports if r.station_id == "R01:T1|1"]
    kamchatka = [r.observed_at for r in reports if r.station_id == "R02:T9|7"]
    assert moscow[0] == datetime(2011, 12, 4, 6, tzinfo=UTC)
    assert moscow[0].utcoffset() == timedelta(hours=4)
    assert [t.hour for t in moscow] == [10, 12, 15, 18, 20, 21]
    assert kamchatka[0] == datetime(2011, 12, 3, 22, tzinfo=UTC)
    assert kamchatka[0].utcoffset() == timedelta(hours=12)
    assert reports[0].station_id == "R02:T9|7"  # the far east reports first
    assert report_json(reports[0])["observed_at"] == "2011-12-04T10:00:00+12:00"


def test_offsets_follow_the_clock_changes_between_elections() -> None:
    """Moscow UTC+4 and Kaliningrad UTC+3 in 2011; UTC+3 and UTC+2 in 2024."""
    p = protocols(("город Москва", "Калининградская область"))
    offsets = {
        (key, r.station_id[:3]): r.observed_at.utcoffset()
        for key in ("ru-2011-duma", "ru-2024-president")
        for r in replayed(p, BY_KEY[key])
    }
    hours = {k: v.total_seconds() / 3600 for k, v in offsets.items() if v is not None}
    assert hours == {
        ("ru-2011-duma", "R01"): 4,
        ("ru-2011-duma", "R02"): 3,
        ("ru-2024-president", "R01"): 3,
        ("ru-2024-president", "R02"): 2,
    }


def test_a_three_day_election_reports_on_each_day_and_ends_at_the_published_figure() -> None:
    p = protocols()
    reports = [r for r in replayed(p, PRESIDENT_2024) if r.station_id == "R01:T1|1"]
    days = Counter(r.observed_at.date() for r in reports)
    assert days == {date(2024, 3, 15): 3, date(2024, 3, 16): 3, date(2024, 3, 17): 4}
    issued = [r.body.ballots_issued for r in reports if isinstance(r.body, ev.TurnoutUpdate)]
    assert issued == sorted(issued)
    assert issued[2] == round(640 * 0.46)  # the first day's close
    assert issued[-1] == 640


def test_a_region_without_a_time_zone_is_named() -> None:
    with pytest.raises(UnknownElectionError, match="no time zone for region 'Атлантида'"):
        replay_zones(protocols(("Город Москва", "Атлантида")), DUMA_2011)


def test_the_election_comes_from_the_dataset_file_or_its_key() -> None:
    assert election_for(Path("../shared/data/russia_dkobak/2012.csv.zip")).key == "ru-2012-president"
    assert election_for(Path("../shared/data/bulgaria_opendata")).key == "bg-2021-parliament"
    assert election_for(Path("export.csv"), "demo").key == "demo"
    with pytest.raises(UnknownElectionError, match="--election"):
        election_for(Path("export.csv"))


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
    reports = replayed(protocols())
    turnout = report_json(reports[0])
    assert set(turnout) == {"id", "station_id", "observed_at", "turnout"}
    protocol = report_json(reports[-1])
    assert protocol["protocol"]["votes"] == {"Leader": 200, "Other": 290}  # Moscow's second, last
