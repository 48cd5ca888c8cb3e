"""A region's roll-up is consistent with itself: its percentages are its own counts' ratios, and a
station whose protocol says 0 ballots is in the denominator (Kamchatka, 2011: 53.5785, not 53.5835)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.region_rollup import rollup
from services.common.contracts import events as ev

NOW = datetime(2012, 3, 4, 20, 0, tzinfo=UTC)


def station(
    sid: str, registered: int, ballots: int, home: int = 0, protocol: bool = False, rate: float = 0.0
) -> ev.StationStats:
    """A station's figures as the station agent publishes them (only what the roll-up reads varies)."""
    summary = ev.ProtocolSummary(registered, ballots, ballots, ballots, 0, {}, True) if protocol else None
    return ev.StationStats(
        station_id=sid,
        region_id="R",
        registered_voters=registered,
        ballots_issued=ballots,
        turnout_pct=round(100 * ballots / registered, 4),
        turnout_rate_pp_per_hour=rate,
        home_voting_applications=home,
        home_voting_pct=round(100 * home / registered, 4),
        incidents_total={},
        incidents_recent={},
        last_report_at=NOW if ballots or protocol else None,
        open_alerts=0,
        protocol=summary,
        reports_processed=1,
        updated_at=NOW,
    )


def region(*members: ev.StationStats) -> ev.RegionStats:
    registered = sum(m.registered_voters for m in members)
    return rollup("R", members, len(members), registered, set(), 0, NOW)


def test_percentages_are_over_the_stations_that_reported_turnout_a_zero_protocol_included() -> None:
    r = region(
        station("A", 1000, 400, home=20, rate=4.0),
        station("B", 3000, 0, protocol=True),  # its protocol: nobody voted
        station("C", 500, 0),  # nothing reported yet
    )
    assert r.turnout_pct == 10.0  # 100 * 400 / 4000
    assert r.home_voting_pct == 0.5  # 100 * 20 / 4000
    assert (r.registered_voters, r.registered_voters_reporting) == (4500, 4000)
    assert (r.ballots_issued, r.home_voting_applications) == (400, 20)
    assert r.turnout_rate_pp_per_hour == 1.0  # (4.0 * 1000 + 0 * 3000) / 4000


protocols = st.lists(
    st.integers(1, 3000).flatmap(
        lambda reg: st.tuples(st.just(reg), st.integers(0, reg), st.integers(0, reg))
    ),
    min_size=1,
    max_size=30,
)


@given(protocols)
def test_once_every_protocol_is_in_turnout_is_ballots_over_registered_voters(
    figures: list[tuple[int, int, int]],
) -> None:
    r = region(
        *(
            station(f"S{i}", reg, ballots, home, protocol=True)
            for i, (reg, ballots, home) in enumerate(figures)
        )
    )
    assert r.turnout_pct == round(100 * r.ballots_issued / r.registered_voters, 4)
    assert r.registered_voters_reporting == r.registered_voters
    assert r.home_voting_pct == round(100 * r.home_voting_applications / r.registered_voters, 4)
