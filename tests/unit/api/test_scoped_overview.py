"""A region-scoped key's overview: its regions' roll-ups combined as the aggregator would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.region_rollup import rollup
from services.api.scoped_overview import combine, region_stats_from_row
from services.common.contracts import events as ev
from tests.unit.api.factories import station_stats

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)


@st.composite
def stations(draw: st.DrawFn) -> list[ev.StationStats]:
    """Stations in up to 4 regions; each without turnout yet or at 1% or more (as on the day)."""
    out = []
    for i in range(draw(st.integers(1, 12))):
        voters = draw(st.integers(100, 3000))
        ballots = draw(st.just(0) | st.integers(max(1, voters // 100), voters))
        base = station_stats(f"S{i}", f"R{draw(st.integers(1, 4))}", ballots=ballots)
        out.append(
            ev.StationStats(
                **{
                    **{f: getattr(base, f) for f in base.__dataclass_fields__},
                    "registered_voters": voters,
                    "turnout_pct": round(100 * ballots / voters, 4),
                    "turnout_rate_pp_per_hour": round(draw(st.floats(0, 20)), 4),
                    "home_voting_applications": draw(st.integers(0, ballots)),
                    "incidents_total": {"ballot_stuffing": draw(st.integers(0, 3))},
                    "open_alerts": draw(st.integers(0, 2)),
                }
            )
        )
    return out


def _rollup(region_id: str, members: list[ev.StationStats]) -> ev.RegionStats:
    registered = sum(s.registered_voters for s in members)
    return rollup(region_id, members, len(members), registered, set(), 0, NOW)


@given(stations())
def test_combining_regions_gives_the_aggregators_roll_up_of_their_stations(
    members: list[ev.StationStats],
) -> None:
    by_region: dict[str, list[ev.StationStats]] = {}
    for s in members:
        by_region.setdefault(s.region_id, []).append(s)
    combined = combine([_rollup(r, m) for r, m in sorted(by_region.items())])
    direct = _rollup(ev.NATIONAL, members)
    assert combined is not None
    exact = ("stations_total", "stations_reporting", "stations_silent", "registered_voters", "ballots_issued")
    counts = ("registered_voters_reporting", "home_voting_applications", "turnout_pct", "home_voting_pct")
    for name in (
        *exact,
        *counts,
        "incidents_total",
        "open_alerts",
        "updated_at",
        "incidents_per_100_stations",
    ):
        assert getattr(combined, name) == getattr(direct, name), name
    # Each region's rate is rounded to 1e-4 points/h before it is weighted, and the result again.
    assert combined.turnout_rate_pp_per_hour == pytest.approx(direct.turnout_rate_pp_per_hour, abs=2e-4)


@given(stations())
def test_one_region_combines_to_itself(members: list[ev.StationStats]) -> None:
    region = _rollup("R1", members)
    combined = combine([region])
    assert combined is not None
    assert combined.region_id == ev.NATIONAL
    for name in region.__dataclass_fields__:
        value = getattr(region, name)
        if isinstance(value, float):
            assert getattr(combined, name) == pytest.approx(value, abs=1e-4), name
        elif name != "region_id":
            assert getattr(combined, name) == value, name


def test_no_regions_no_overview() -> None:
    assert combine([]) is None


def test_a_stored_roll_up_reads_back_as_the_domain_value() -> None:
    row = {
        "region_id": "R1", "stations_total": 3, "stations_reporting": 1, "stations_silent": 1,
        "registered_voters": 3500, "ballots_issued": 500, "turnout_pct": 14.29,
        "turnout_rate_pp_per_hour": 1.0, "home_voting_pct": 0.0, "incidents_per_100_stations": 10.0,
        "incidents_total": '{"queue": 2}', "open_alerts": 1, "updated_at": NOW,
        "registered_voters_reporting": 3000, "home_voting_applications": 0,
    }  # fmt: skip
    stats = region_stats_from_row(row)
    assert (stats.region_id, stats.incidents_total, stats.turnout_pct) == ("R1", {"queue": 2}, 14.29)
