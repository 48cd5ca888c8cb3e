from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.domain.station_state import Applied, StationState
from services.aggregator.domain.station_view import station_stats
from services.common.contracts import events as ev
from tests.unit.aggregator.helpers import CFG, DEDUP_S, INFO, incident, protocol, state_of, turnout

DAY = [
    turnout(50, 60, "t1", home=5),
    turnout(120, 120, "t2", home=9),
    turnout(260, 180, "t3", home=12),
    incident(ev.ViolationType.FAMILY_VOTING, 130, "i1"),
    incident(ev.ViolationType.NO_CLEAR_VIEW, 150, "i2"),
    turnout(400, 300, "t4", home=20),
    protocol(720, "p1"),
]


def test_duplicates_change_nothing() -> None:
    s = StationState("ALA-0001")
    assert s.apply(DAY[0], DEDUP_S) is Applied.NEW
    assert s.apply(DAY[0], DEDUP_S) is Applied.DUPLICATE
    assert s.reports == 1


def test_cumulative_semantics_take_the_latest_by_event_time() -> None:
    s = state_of(DAY[2], DAY[0], DAY[1])  # arrives out of order
    stats = station_stats(s, INFO, CFG)
    assert stats.ballots_issued == 260
    assert stats.turnout_pct == 26.0
    assert stats.home_voting_applications == 12
    assert stats.home_voting_pct == 1.2


def test_a_report_older_than_the_dedup_horizon_is_refused() -> None:
    s = state_of(turnout(100, 60 * 40, "late-base"))
    assert s.apply(turnout(5, 0, "ancient"), DEDUP_S) is Applied.TOO_LATE
    assert s.reports == 1


def test_two_reports_for_the_same_minute_keep_the_larger_count() -> None:
    a, b = turnout(100, 60, "a"), turnout(90, 60, "b")
    assert station_stats(state_of(a, b), INFO, CFG).ballots_issued == 100
    assert station_stats(state_of(b, a), INFO, CFG).ballots_issued == 100


def test_full_day_figures() -> None:
    stats = station_stats(state_of(*DAY), INFO, CFG)
    assert stats.reports_processed == 7
    assert stats.incidents_total == {"FAMILY_VOTING": 1, "NO_CLEAR_VIEW": 1}
    assert stats.incidents_recent == {}  # both older than 60 min at 20:00
    assert stats.protocol is not None
    assert stats.protocol.inconsistencies == ()
    assert stats.last_report_at == DAY[-1].observed_at
    assert stats.updated_at == DAY[-1].observed_at


def test_rate_uses_the_last_closed_hop() -> None:
    # points 08:00+60 -> 5%, +120 -> 12%, +180 -> 26%; now = +180, grace 5, step 5: hop ends +175
    s = state_of(*DAY[:3])
    stats = station_stats(s, INFO, CFG)
    # value(+175) = 12 + 14 * 55/60; value(+115) = 5 + 7 * 55/60
    expected = (12 + 14 * 55 / 60) - (5 + 7 * 55 / 60)
    assert abs(stats.turnout_rate_pp_per_hour - expected) < 1e-3


def test_incidents_recent_window() -> None:
    s = state_of(
        incident(ev.ViolationType.FAMILY_VOTING, 0, "i1"), incident(ev.ViolationType.OTHER, 61, "i2")
    )
    assert station_stats(s, INFO, CFG).incidents_recent == {"OTHER": 1}


@settings(max_examples=60)
@given(st.permutations(DAY), st.lists(st.sampled_from(DAY), max_size=6))
def test_any_order_and_resends_give_the_same_stats(order: list[ev.Report], resent: list[ev.Report]) -> None:
    reference = station_stats(state_of(*DAY), INFO, CFG)
    s = state_of(*order, *resent)
    assert station_stats(s, INFO, CFG) == reference


@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 1000), st.text("ab", min_size=1, max_size=2)),
        min_size=1,
        max_size=30,
    )
)
def test_the_turnout_series_kept_up_per_report_equals_one_built_from_the_points(
    reports: list[tuple[int, int, str]],
) -> None:
    """Reports for new and already-known minutes (the larger count wins), in any order: the
    series updated in place after each one is the one sorted afresh from the points."""
    kept = StationState("ALA-0001")
    for n, (minute, ballots, suffix) in enumerate(reports):
        kept.apply(turnout(ballots, minute, f"r{n}{suffix}"), DEDUP_S)
        times, ballots_now = kept.turnout_series()
        assert times == sorted(kept.turnout)
        assert ballots_now == [kept.turnout[t].ballots for t in times]
    assert kept.turnout_series()[0], "the first report always lands"
