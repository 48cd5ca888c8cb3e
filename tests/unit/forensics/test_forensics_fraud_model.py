"""Fingerprint and Klimek et al. fraud-model fit on synthetic elections."""

from __future__ import annotations

import numpy as np
import pytest

from services.forensics.fingerprint import Weighting, fingerprint, percent_histogram
from services.forensics.fit_caveats import fit_caveats
from services.forensics.fit_search import ALPHAS, GridEdge
from services.forensics.fraud_model import fit_fraud_model
from tests.unit.forensics.synthetic import clean_election, stuff_ballots


def test_fingerprint_counts_every_usable_station_and_voter() -> None:
    election = clean_election(seed=1, stations=5000)
    by_station = fingerprint(election, Weighting.STATIONS)
    by_voter = fingerprint(election, Weighting.VOTERS)
    assert by_station.counts.shape == (100, 100)
    assert by_station.counts.sum() == 5000
    assert by_voter.counts.sum() == election.registered.sum()


def test_percent_histogram_centres_bins_on_whole_percentages() -> None:
    centres, counts = percent_histogram(np.array([50.0, 50.04, 50.06, 99.99]), binwidth=0.1)
    assert centres[500] == pytest.approx(50.0)
    assert counts[500] == 2
    assert counts[501] == 1
    assert counts[1000] == 1


def test_clean_election_fits_no_fraud() -> None:
    fit = fit_fraud_model(clean_election(seed=1), seed=0)
    assert fit.incremental <= 0.05
    assert fit.extreme <= 0.01


@pytest.mark.parametrize(("incremental", "extreme"), [(0.3, 0.05), (0.6, 0.02), (0.0, 0.1)])
def test_injected_fraud_is_recovered(incremental: float, extreme: float) -> None:
    stuffed = stuff_ballots(clean_election(seed=1), 2, incremental, extreme, theta=0.25)
    fit = fit_fraud_model(stuffed, seed=0)
    # Stations with small stuffing fractions look fair, so f_i is underestimated:
    # the tolerance is set by that bias (docs/forensics.md), not by sampling noise.
    assert fit.incremental == pytest.approx(incremental, abs=0.15)
    assert fit.extreme == pytest.approx(extreme, abs=0.015)
    assert fit.fitted.sum() == pytest.approx(fit.observed.sum())


@pytest.mark.parametrize("alpha", [3.0, 4.0])
def test_the_grid_widens_where_the_fit_reaches_its_edge(alpha: float) -> None:
    # alpha above the authors' range (0.5-2): the fit must follow it, not stop at 2.
    stuffed = stuff_ballots(clean_election(seed=1), 2, 0.5, 0.02, alpha=alpha, theta=0.5)
    fit = fit_fraud_model(stuffed, seed=0)
    assert fit.alpha == pytest.approx(alpha, abs=0.6)
    assert fit.edges == ()


def test_a_fit_at_the_end_of_the_searched_range_says_so() -> None:
    # alpha 50: stuffing without any vote moving, beyond every alpha searched.
    stuffed = stuff_ballots(clean_election(seed=1), 2, 0.5, 0.02, alpha=50.0, theta=0.4)
    fit = fit_fraud_model(stuffed, seed=0)
    assert fit.alpha == ALPHAS[-1]
    assert GridEdge("alpha", ALPHAS[-1], "upper") in fit.edges
    assert any(c.startswith(f"alpha = {ALPHAS[-1]:g} is at the upper end") for c in fit_caveats(fit))


def test_the_misfit_of_a_clean_election_is_small_and_no_caveat_is_raised() -> None:
    fit = fit_fraud_model(clean_election(seed=1), seed=0)
    assert fit.misfit < 0.15
    assert fit_caveats(fit) == ()
