"""Outliers and Benford (information only)."""

from __future__ import annotations

import numpy as np
import pytest

from services.forensics.benford import benford_second_digit, second_digit_expected
from services.forensics.outliers import find_outliers
from tests.unit.forensics.synthetic import clean_election, rebuild


def test_outliers_find_planted_turnout_and_arithmetic_errors() -> None:
    clean = clean_election(seed=3, stations=4000)
    assert clean.leader is not None
    issued = clean.issued.copy()
    issued[[10, 20]] = clean.registered[[10, 20]]  # 100 % turnout: far from any region
    issued[30] = clean.registered[30] + 5  # more ballots than voters
    bad = rebuild(clean, issued, clean.valid, clean.leader)
    outliers = find_outliers(bad)
    flagged = set(np.flatnonzero(outliers.flagged_turnout()).tolist())
    assert {10, 20, 30} <= flagged
    assert len(flagged) < 10
    rules = {check.rule: check.stations for check in outliers.arithmetic}
    assert rules["ballots issued exceed registered voters"] == (30,)


def test_benford_expected_digits_and_information_only() -> None:
    expected = second_digit_expected()
    assert expected.sum() == pytest.approx(1.0)
    assert expected[0] == pytest.approx(0.11968, abs=1e-5)
    rng = np.random.default_rng(0)
    benford_like = np.floor(10 ** rng.uniform(1, 5, 200_000)).astype(np.int64)
    result = benford_second_digit(benford_like)
    assert result.p_value > 0.001
    assert result.mean_digit == pytest.approx(4.187, abs=0.02)
    assert not hasattr(result, "flagged")
