"""The figures the live forensics publish per scope (a region, or the nation as '').

The integer-percentage test here is analytic: the integer count under the binomial
null is a sum of independent Bernoulli(q) (q exact per station, ``integer_null``),
so its mean, variance and third cumulant are sums over stations. ``z`` is the same
statistic the batch region screen thresholds (its Monte-Carlo mean replaced by the
exact mean); ``p_value`` uses the refined normal approximation (skewness-corrected
Edgeworth term, Volkova 1996), which a plain normal tail would overstate for small,
skewed regions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from services.forensics.region_screen import MIN_TESTED, Z_THRESHOLD, ScreenStatus, screen


@dataclass(frozen=True, slots=True)
class IntegerTest:
    """Stations whose percentage is within 0.05 points of a whole number, against chance."""

    observed: int
    expected: float
    variance: float
    third_cumulant: float

    @property
    def excess(self) -> float:
        """Observed minus the exact null mean."""
        return self.observed - self.expected

    @property
    def std(self) -> float:
        """Null standard deviation (exact)."""
        return math.sqrt(self.variance)

    @property
    def z(self) -> float:
        """Excess in null standard deviations (0 when the null has no spread)."""
        return self.excess / self.std if self.variance > 0 else 0.0

    @property
    def p_value(self) -> float:
        """P(count >= observed) under the null, refined normal approximation."""
        return upper_tail(self.observed, self.expected, self.variance, self.third_cumulant)


def upper_tail(observed: int, mean: float, variance: float, third: float) -> float:
    """P(X >= observed) for a Poisson-binomial X given its first three cumulants."""
    if variance <= 0:
        return 1.0 if observed <= mean else 0.0
    sd = math.sqrt(variance)
    x = (observed - 0.5 - mean) / sd  # continuity correction
    gamma = third / sd**3
    density = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    below = float(ndtr(x)) + gamma * (1 - x * x) * density / 6
    return min(1.0, max(0.0, 1.0 - below))


@dataclass(frozen=True, slots=True)
class RegionZ:
    """One region's 'turnout or leader share' test in brief, for the national screen."""

    region: str
    tested: int
    z: float

    def status(self, threshold: float = Z_THRESHOLD, min_tested: int = MIN_TESTED) -> ScreenStatus:
        """The region under the shared rule (``region_screen``)."""
        return screen(self.tested, self.z, threshold, min_tested)


@dataclass(frozen=True, slots=True)
class ScopeFigures:
    """Live figures of one scope: what the aggregator stores and the API serves."""

    region: str
    stations: int
    """Final protocols counted."""
    tested: int
    """Protocols that pass the AoAS filters, so enter the integer test."""
    turnout_pct: float
    leader_share_pct: float
    either: IntegerTest
    turnout: IntegerTest
    share: IntegerTest
    fingerprint: NDArray[np.int64]
    """Stations per (turnout bin, leader-share bin); rows are turnout, both axes 0..1."""
    regions: tuple[RegionZ, ...] = ()
    """Nationally: every region held, so the screen can be read in one place; else empty."""

    def status(self, threshold: float = Z_THRESHOLD, min_tested: int = MIN_TESTED) -> ScreenStatus:
        """This scope under the region screen's rule (the nation is never alerted on)."""
        return screen(self.tested, self.either.z, threshold, min_tested)


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """One evaluation: the national leader and the scopes that changed since the last one."""

    leader: str | None
    bins: int
    scopes: tuple[ScopeFigures, ...]

    def scope(self, region: str) -> ScopeFigures | None:
        """The figures of ``region`` ('' nationally) if this snapshot has them."""
        return next((s for s in self.scopes if s.region == region), None)
