"""Robust statistics: median, median absolute deviation and the modified z-score."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

# Makes the MAD a consistent estimator of the standard deviation for normal data.
MAD_SCALE = 0.6745


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def mad(values: Sequence[float]) -> float:
    m = median(values)
    return median([abs(v - m) for v in values])


def robust_z(value: float, centre: float, spread: float) -> float:
    """Iglewicz-Hoaglin modified z-score of `value`; `spread` is the MAD (must be > 0)."""
    if spread <= 0:
        raise ValueError("the MAD must be positive")
    return MAD_SCALE * (value - centre) / spread
