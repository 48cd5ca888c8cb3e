from dataclasses import replace
from datetime import time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.region_book import RegionBook, RegionTick
from services.aggregator.domain.region_rules import home_voting_outliers, outliers, polls_opened_at, silence
from services.aggregator.domain.rule_config import HomeVoting, Polls, RegionRelative
from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_state import StationInfo
from services.aggregator.domain.station_view import station_stats
from services.common import catalog
from services.common.contracts import events as ev
from services.common.contracts.events import NATIONAL, StationStats
from tests.support import factories as f
from tests.unit.aggregator.helpers import CFG, INFO, T0, incident, protocol, state_of, turnout


def stats(sid: str, region: str, ballots: int, minutes: float, registered: int = 1000) -> StationStats:
    s = state_of(turnout(ballots, minutes, f"{sid}-t", station=sid), station=sid)
    return station_stats(s, StationInfo(region, registered), CFG)


def test_polls_open_in_local_time() -> None:
    assert polls_opened_at(CFG.polls, T0) == T0 - timedelta(hours=1)  # 08:00 local, opened 07:00
    assert polls_opened_at(CFG.polls, T0 + timedelta(hours=12)) is None  # 20:00 local: closed


def test_silence_edges() -> None:
    s = stats("A", "R", 100, 0)
    assert silence(s, T0 + timedelta(minutes=89), CFG.polls, CFG.silent_station) is None
    cond = silence(s, T0 + timedelta(minutes=90), CFG.polls, CFG.silent_station)
    assert cond is not None
    assert cond.value == 90.0
    assert silence(s, T0 + timedelta(hours=13), CFG.polls, CFG.silent_station) is None  # polls closed


def test_outlier_needs_enough_peers_and_flags_the_far_one() -> None:
    members = [stats(f"S{i}", "R", 300 + 5 * i, 120) for i in range(9)] + [stats("X", "R", 800, 120)]
    found = outliers(members, CFG.turnout_outlier)
    assert [sid for sid, c in found.items() if c] == ["X"]
    assert outliers([*members[:5], members[-1]], CFG.turnout_outlier) == {}  # 6 < 8: not judged
    # a station already in the next reporting round is not compared with the previous round
    ahead = [*members[:9], stats("Y", "R", 800, 150)]
    judged = outliers(ahead, CFG.turnout_outlier)
    assert "Y" not in judged
    assert all(c is None for c in judged.values())


def test_rollup_is_voter_weighted_and_counts_per_100_stations() -> None:
    book = RegionBook(CFG)
    book.set_registry({"A": StationInfo("R", 1000), "B": StationInfo("R", 3000), "C": StationInfo("Q", 500)})
    book.upsert(stats("A", "R", 500, 60, 1000))
    b = state_of(
        turnout(600, 60, "b1", station="B"),
        incident(ev.ViolationType.OTHER, 61, "b2", station="B"),
        station="B",
    )
    book.upsert(station_stats(b, StationInfo("R", 3000), CFG))
    tick = book.evaluate(T0 + timedelta(minutes=61))
    by_id = {r.region_id: r for r in tick.regions}
    r = by_id["R"]
    assert (r.stations_total, r.stations_reporting, r.registered_voters, r.ballots_issued) == (
        2,
        2,
        4000,
        1100,
    )
    assert r.turnout_pct == 27.5  # 1100 / 4000
    assert r.incidents_per_100_stations == 50.0
    assert r.incidents_total == {"OTHER": 1}
    nat = by_id[NATIONAL]
    assert (nat.stations_total, nat.registered_voters, nat.stations_reporting) == (3, 4500, 2)
    # a new registry makes every region publish, even one where nobody reported yet
    assert (by_id["Q"].stations_total, by_id["Q"].stations_reporting, by_id["Q"].turnout_pct) == (1, 0, 0.0)


def test_silent_station_alert_lifecycle_and_station_view() -> None:
    book = RegionBook(CFG)
    book.set_registry({"A": StationInfo("R", 1000)})
    a = stats("A", "R", 100, 0)
    book.upsert(a)
    book.evaluate(T0)
    tick = book.evaluate(T0 + timedelta(minutes=95), ["R"])
    assert [(x.id, x.transition) for x in tick.alerts] == [("silent_station:A", ev.AlertTransition.OPENED)]
    assert tick.stations[0].silent
    assert tick.stations[0].open_alerts == 1
    assert tick.regions[0].stations_silent == 1
    assert tick.regions[0].stations_reporting == 0
    assert tick.regions[0].open_alerts == 1
    book.upsert(replace(a, last_report_at=T0 + timedelta(minutes=96), updated_at=T0 + timedelta(minutes=96)))
    tick = book.evaluate(T0 + timedelta(minutes=97))
    assert [x.transition for x in tick.alerts] == [ev.AlertTransition.RESOLVED]
    assert not tick.stations[0].silent


def test_upsert_ignores_older_figures() -> None:
    book = RegionBook(CFG)
    book.upsert(stats("A", "R", 200, 60))
    book.upsert(stats("A", "R", 100, 30))
    assert book.members["A"].ballots_issued == 200
    assert book.watermark() == T0 + timedelta(minutes=55)


def silent_book(sizes: dict[str, int]) -> RegionBook:
    """Stations that last reported at T0, per region: all silent 95 minutes later."""
    book = RegionBook(CFG)
    infos = {f"{r}-{i}": StationInfo(r, 1000) for r, n in sizes.items() for i in range(n)}
    book.set_registry(infos)
    for sid, info in infos.items():
        book.upsert(stats(sid, info.region_id, 100, 0))
    book.evaluate(T0)
    return book


def evaluated(tick: RegionTick) -> list[str]:
    return [r.region_id for r in tick.regions if r.region_id != NATIONAL]


@given(st.lists(st.integers(1, 12), min_size=1, max_size=8), st.integers(1, 30))
def test_a_budget_spreads_a_silence_check_over_ticks_each_region_once(sizes: list[int], budget: int) -> None:
    regions = {f"R{n}": size for n, size in enumerate(sizes)}
    whole = silent_book(regions)
    unbounded = whole.evaluate(T0 + timedelta(minutes=95), whole.all_regions())
    book = silent_book(regions)
    book.mark_all()
    seen: list[str] = []
    alerts: list[ev.Alert] = []
    while book.dirty:
        tick = book.evaluate(T0 + timedelta(minutes=95), budget=budget)
        taken = evaluated(tick)
        assert sum(regions[r] for r in taken) <= budget or len(taken) == 1
        seen += taken
        alerts += tick.alerts
    assert sorted(seen) == sorted(regions)
    assert sorted(a.id for a in alerts) == sorted(a.id for a in unbounded.alerts)
    assert len(alerts) == sum(sizes)


def test_a_region_dirty_at_every_tick_does_not_starve_the_others() -> None:
    book = silent_book({"A": 3, "B": 3, "C": 3})
    book.mark_all()
    order = []
    for minute in range(6):
        book.upsert(stats("A-0", "A", 100, minute + 1))  # A has news before every tick
        order.append(evaluated(book.evaluate(T0 + timedelta(minutes=10 + minute), budget=3)))
    assert order == [["A"], ["B"], ["C"], ["A"], ["A"], ["A"]]


def test_a_station_with_its_final_protocol_in_is_never_silent() -> None:
    """Polls there have closed: a region hours ahead of the polls' zone is done while the
    capital still votes (the 2011 replay opened silence alerts at every far-eastern station)."""
    done = station_stats(
        state_of(turnout(600, 0, "t"), protocol(30, "p", ballots_issued=600)), StationInfo("R", 1000), CFG
    )
    assert done.protocol is not None
    assert silence(done, T0 + timedelta(hours=5), CFG.polls, CFG.silent_station) is None
    book = RegionBook(CFG)
    book.set_registry({"ALA-0001": StationInfo("R", 1000)})
    book.upsert(done)
    tick = book.evaluate(T0 + timedelta(hours=5))
    assert tick.alerts == []
    assert book.silent == set()


RELATIVE = CFG.model_copy(
    update={"home_voting": HomeVoting(warning=5.0, critical=15.0, region=RegionRelative(z=3.5))}
)


def home_stats(sid: str, home: int, minutes: float = 120, registered: int = 1000) -> StationStats:
    s = state_of(turnout(400, minutes, f"{sid}-t", home=home, station=sid), station=sid)
    return station_stats(s, StationInfo("R", registered), RELATIVE)


def test_home_voting_relative_to_the_region_fires_only_where_the_share_stands_out() -> None:
    """Where the mobile box is common, 8 % is ordinary; 25 % in a region at ~8 % is not."""
    common = [home_stats(f"S{i}", 70 + 5 * i) for i in range(10)]  # 7.0-11.5 %
    found = home_voting_outliers([*common, home_stats("X", 250)], RELATIVE.home_voting)
    fired = {sid: c for sid, c in found.items() if c is not None}
    assert list(fired) == ["X"]
    assert fired["X"].severity is ev.Severity.CRITICAL
    assert fired["X"].threshold == 15.0
    assert fired["X"].texts[0].key == "home_voting.region"
    assert fired["X"].message.startswith(
        "Home-voting applications at 25% of the register, at or above 15%, against a regional median of 9.5%"
    )
    # standing out but under the warning share: quiet (a region at 0.5 %, one station at 4 %)
    rare = [home_stats(f"R{i}", 5) for i in range(10)]
    assert all(
        c is None for c in home_voting_outliers([*rare, home_stats("Y", 40)], RELATIVE.home_voting).values()
    )
    # too few peers in the round: not judged
    assert home_voting_outliers(common[:5], RELATIVE.home_voting) == {}


def test_relative_home_voting_moves_from_the_station_rules_to_the_region_book() -> None:
    absolute = evaluate(state_of(turnout(400, 60, "t", home=90)), INFO, CFG)
    assert absolute["home_voting"] is not None
    assert "home_voting" not in evaluate(state_of(turnout(400, 60, "t", home=90)), INFO, RELATIVE)
    book = RegionBook(RELATIVE)
    stations = [home_stats(f"S{i}", 70 + 5 * i) for i in range(10)] + [home_stats("X", 250)]
    book.set_registry({s.station_id: StationInfo("R", 1000) for s in stations})
    for s in stations:
        book.upsert(s)
    tick = book.evaluate(T0 + timedelta(minutes=121))
    assert [(a.rule, a.station_id, a.severity) for a in tick.alerts] == [
        ("home_voting", "X", ev.Severity.CRITICAL)
    ]


def test_silence_follows_polls_in_each_stations_own_time_zone() -> None:
    """Polls on Moscow's clock (UTC+4 in 2012) for the rules; Kamchatka (UTC+12) has closed for
    the night while Moscow still votes, so its station is not silent there; Moscow's is."""
    moscow = Polls(timezone="Europe/Moscow", open=time(8), close=time(20))
    cfg = CFG.model_copy(update={"polls": moscow})
    book = RegionBook(cfg)
    book.set_registry(
        {
            "M": StationInfo("MOW", 1000, "Europe/Moscow"),
            "K": StationInfo("KAM", 1000, "Asia/Kamchatka"),
            "X": StationInfo("XXX", 1000),  # no zone: the rules' polls zone
        }
    )
    book.upsert(stats("M", "MOW", 100, 3 * 60))  # 05:00 UTC, 09:00 in Moscow
    book.upsert(stats("K", "KAM", 100, 5 * 60))  # 07:00 UTC, 19:00 in Kamchatka
    book.upsert(stats("X", "XXX", 100, 3 * 60))
    book.evaluate(T0 + timedelta(hours=10))  # 12:00 UTC: 16:00 in Moscow, midnight in Kamchatka
    assert book.silent == {"M", "X"}


def test_reporting_rounds_follow_each_stations_local_clock() -> None:
    """Kathmandu is 5:45 ahead of UTC: its monitors' 10:00 and 10:20 reports (04:15 and 04:35 UTC)
    are one local round, which UTC's half hours would cut in two, leaving X without peers."""
    book = RegionBook(CFG)
    book.set_registry({sid: StationInfo("KTM", 1000, "Asia/Kathmandu") for sid in [*"ABCDEFGHI", "X"]})
    for i, sid in enumerate("ABCDEFGHI"):
        book.upsert(stats(sid, "KTM", 300 + 5 * i, 135))  # 04:15 UTC, 10:00 in Kathmandu
    book.upsert(stats("X", "KTM", 800, 155))  # 04:35 UTC, 10:20 in Kathmandu
    tick = book.evaluate(T0 + timedelta(minutes=160))
    assert [(a.rule, a.station_id) for a in tick.alerts] == [("turnout_outlier", "X")]


def test_a_monitored_station_with_no_report_an_hour_after_opening_is_monitor_absent() -> None:
    """Polls opened 07:00 (T0 is 08:00); the rule's 60 min are up at 08:00."""
    book = RegionBook(CFG)
    book.set_registry(
        {
            "M": StationInfo("R", 1000, monitored=True),  # never reports
            "B": StationInfo("R", 1000, monitored=True),  # barred: only "monitor restricted"
            "L": StationInfo("R", 1000, monitored=True),  # reports from inside
            "U": StationInfo("R", 1000),  # no monitor assigned: nobody to miss
        }
    )
    barred = state_of(incident(ev.ViolationType.MONITOR_RESTRICTED, -30, "b1", station="B"), station="B")
    book.upsert(station_stats(barred, StationInfo("R", 1000), CFG))
    book.upsert(stats("L", "R", 10, -20))
    assert book.evaluate(T0 - timedelta(minutes=1), ["R"]).alerts == []
    tick = book.evaluate(T0, ["R"])
    opened = {a.id: (a.severity, a.confidence, a.texts[0].key) for a in tick.alerts}
    assert opened == {
        "monitor_absent:M": (ev.Severity.CRITICAL, 0.6, "monitor_absent.silent"),
        "monitor_absent:B": (ev.Severity.CRITICAL, 1.0, "monitor_absent.restricted"),
    }
    # Every placeholder of the text is filled: a reader sees "60 min", not "{minutes}".
    for alert in tick.alerts:
        for lang in catalog.Lang:
            rendered = catalog.render(alert.texts[0], lang)
            assert "{" not in rendered, rendered
            assert "60" in rendered, rendered
    assert tick.regions[0].open_alerts == 2
    # An event clock held back (a lagging partition) and closed polls judge nothing: still open.
    assert book.evaluate(T0 - timedelta(minutes=10), ["R"]).alerts == []
    assert book.evaluate(T0 + timedelta(hours=13), ["R"]).alerts == []
    # The monitor gets in and reports: resolved, the reason recorded.
    book.upsert(stats("M", "R", 40, 120))
    moved = [
        a for a in book.evaluate(T0 + timedelta(minutes=121), ["R"]).alerts if a.rule == "monitor_absent"
    ]
    assert [(a.id, a.transition, a.texts[-1].key) for a in moved] == [
        ("monitor_absent:M", ev.AlertTransition.RESOLVED, "resolved.condition_cleared")
    ]


def test_the_eve_with_its_readiness_checklists_misses_no_monitor_election_day_does() -> None:
    """Polls' hours hold on the eve too, but monitors only send readiness checklists then; once
    a station shows voting under way (an opening checklist, or ballots issued), absence counts."""
    book = RegionBook(CFG)
    book.set_registry(
        {"M": StationInfo("R", 1000, monitored=True), "L": StationInfo("R", 1000, monitored=True)}
    )
    ready = ev.Checklist(ev.ChecklistPhase.READINESS, {"station_ready": True})
    eve = f.report(ready, id="L-r", station_id="L", minutes=-900)
    book.upsert(station_stats(state_of(eve, station="L"), StationInfo("R", 1000), CFG))
    assert book.evaluate(T0 - timedelta(minutes=890), ["R"]).alerts == []  # 17:10 the day before
    assert book.evaluate(T0, ["R"]).alerts == []  # nothing of election day seen yet
    book.upsert(checklist_stats("L", "R", ballot_boxes_sealed=True))
    assert [a.id for a in book.evaluate(T0, ["R"]).alerts] == ["monitor_absent:M"]


def checklist_stats(sid: str, region: str, **answers: bool) -> StationStats:
    report = f.report(ev.Checklist(ev.ChecklistPhase.OPENING, answers), id=f"{sid}-c", station_id=sid)
    return station_stats(state_of(report, station=sid), StationInfo(region, 1000), CFG)


def test_a_question_failing_at_a_quarter_of_a_regions_observed_stations_opens_a_region_alert() -> None:
    book = RegionBook(CFG)
    book.set_registry({s: StationInfo("R", 1000) for s in "ABCDEFGH"})
    for sid in "ABCDEFG":  # H is not observed: not in the denominator
        book.upsert(
            checklist_stats(sid, "R", ballot_boxes_sealed=sid != "A", voter_list_available=sid != "B")
        )
    assert [a.rule for a in book.evaluate(T0, ["R"]).alerts] == []  # 1 of 7 each: under 25 %
    book.upsert(checklist_stats("H", "R", ballot_boxes_sealed=True, voter_list_available=False))
    tick = book.evaluate(T0, ["R"])
    region_alerts = [a for a in tick.alerts if a.rule == "checklist_region"]
    assert [(a.id, a.station_id, a.region_id, a.value) for a in region_alerts] == [
        ("checklist_region:R", "", "R", 25.0)
    ]
    assert region_alerts[0].texts[0].params == {
        "phase": "opening", "checklist": "voter_list_available", "count": 2, "observed": 8,
        "share": 25.0, "threshold": 25.0,
    }  # fmt: skip
    assert tick.regions[0].open_alerts == 1
