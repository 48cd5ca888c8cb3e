"""Second-digit Benford test of vote counts: information only, never an alert.

Mebane's second-digit test (2BL) is reported for comparison with the literature,
but Deckert, Myagkov & Ordeshook (Political Analysis 2011) and Mebane's own work on
Russia show that fair elections fail it and frauds pass it, so pollwatch never
raises an alert from it alone. ``BenfordResult`` therefore has no "flagged" field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chisquare

from services.forensics.protocols import FloatArray, IntArray

MIN_COUNT = 10
"""Counts below 10 have no second digit."""


def second_digit_expected() -> FloatArray:
    """Benford probabilities of second digits 0..9."""
    first = np.arange(1, 10)[:, None]
    digit = np.arange(10)[None, :]
    expected: FloatArray = np.log10(1.0 + 1.0 / (10 * first + digit)).sum(axis=0)
    return expected


@dataclass(frozen=True)
class BenfordResult:
    """Observed second-digit frequencies against Benford's law (informational)."""

    counts: IntArray
    expected: FloatArray
    chi2: float
    p_value: float
    mean_digit: float

    @property
    def n(self) -> int:
        """How many vote counts were tested."""
        return int(self.counts.sum())


def second_digits(values: IntArray) -> IntArray:
    """Second significant digit of each value >= 10."""
    values = values[values >= MIN_COUNT]
    magnitude = np.floor(np.log10(values)).astype(np.int64)
    digits: IntArray = (values // 10 ** (magnitude - 1)) % 10
    return digits


def benford_second_digit(votes: IntArray) -> BenfordResult:
    """2BL test over all candidate vote counts (a 2-D array is flattened)."""
    digits = second_digits(np.asarray(votes, dtype=np.int64).ravel())
    counts = np.bincount(digits, minlength=10).astype(np.int64)
    expected = second_digit_expected()
    if counts.sum() == 0:
        return BenfordResult(counts, expected, 0.0, 1.0, float("nan"))
    statistic, p_value = chisquare(counts, expected * counts.sum())
    mean_digit = float(np.dot(np.arange(10), counts) / counts.sum())
    return BenfordResult(counts, expected, float(statistic), float(p_value), mean_digit)
