"""Integer-percentage excess on synthetic elections with known truth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from services.forensics.integer_excess import aoas_mask, integer_excess
from services.forensics.integer_null import hit_probability, integer_hits
from services.forensics.protocols import Protocols
from tests.unit.forensics.synthetic import clean_election, rig_integer_turnout


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 2500), p=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(1e-9, 1 - 1e-9)))
def test_hit_probability_equals_brute_force_binomial_sum(n: int, p: float) -> None:
    k = np.arange(n + 1)
    brute = binom.pmf(k, n, p)[integer_hits(k, np.full(n + 1, n))].sum()
    assert hit_probability(np.array([n]), np.array([p]))[0] == pytest.approx(brute, abs=1e-8)


def test_integer_hits_uses_half_width_of_005_points() -> None:
    counts = np.array([500, 501, 333, 1995])
    totals = np.array([1000, 1000, 1000, 2000])
    # 50.0 %, 50.1 %, 33.3 %, 99.75 %
    assert integer_hits(counts, totals).tolist() == [True, False, False, False]


def test_clean_election_excess_is_within_noise() -> None:
    result = integer_excess(clean_election(seed=1), simulations=1000, seed=7)
    assert abs(result.either.z) < 3
    assert abs(result.turnout.z) < 3
    assert result.share is not None
    assert abs(result.share.z) < 3
    assert result.either.p_value > 0.01
    assert not any(region.flagged for region in result.regions)


def test_monte_carlo_mean_matches_exact_expectation() -> None:
    result = integer_excess(clean_election(seed=2), simulations=1000, seed=3)
    for test in (result.either, result.turnout):
        standard_error = test.null_std / np.sqrt(1000)
        assert abs(test.null_mean - test.expected) < 4 * standard_error


def test_rigged_regions_are_detected_and_excess_matches_injection() -> None:
    clean = clean_election(seed=4)
    rigged, landed = rig_integer_turnout(clean, seed=5, fraction=0.3, regions=(3, 11))
    result = integer_excess(rigged, simulations=1000, seed=6)
    # Rigged stations that were integer by chance anyway do not add to the excess.
    chance = 0.1 * landed
    assert landed > 250
    assert result.turnout.excess == pytest.approx(landed - chance, abs=4 * result.turnout.null_std)
    assert result.either.p_value == pytest.approx(1 / 1001)
    flagged = {region.region for region in result.regions if region.flagged}
    assert flagged == {"R3", "R11"}


def test_same_seed_same_result_other_seed_other_draws() -> None:
    election = clean_election(seed=8, stations=3000)
    first = integer_excess(election, simulations=200, seed=1)
    assert integer_excess(election, simulations=200, seed=1) == first
    assert integer_excess(election, simulations=200, seed=2).either.null_mean != (first.either.null_mean)


def test_aoas_filters_small_and_near_unanimous_stations() -> None:
    p = Protocols(
        name="filters",
        station_ids=("small", "unanimous", "full_turnout", "ok"),
        region=np.zeros(4, dtype=np.int32),
        region_names=("R",),
        registered=np.array([99, 1000, 1000, 1000]),
        issued=np.array([50, 600, 995, 990]),
        valid=np.array([50, 600, 995, 990]),
        invalid=np.array([0, 0, 0, 0]),
        leader=np.array([10, 595, 500, 980]),
    )
    assert aoas_mask(p).tolist() == [False, False, False, True]


def test_without_candidate_votes_only_turnout_is_tested() -> None:
    full = clean_election(seed=9, stations=2000)
    turnout_only = Protocols(
        name="no votes",
        station_ids=full.station_ids,
        region=full.region,
        region_names=full.region_names,
        registered=full.registered,
        issued=full.issued,
        valid=full.valid,
        invalid=full.invalid,
    )
    result = integer_excess(turnout_only, simulations=200, seed=1)
    assert result.share is None
    assert result.either.observed == result.turnout.observed
