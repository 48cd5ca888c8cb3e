"""The one rule that flags a region's integer-percentage excess, batch and live alike.

``pollwatch forensics`` (its region screen), the live figures, the aggregator's
``integer_excess`` alert and the API all classify a region with ``screen``, so the
command line and the live screen flag the same regions on the same protocols and
name the same near misses.
"""

from __future__ import annotations

from enum import Enum

Z_THRESHOLD = 4.0
"""Flagged at this many null s.d. above chance: one-sided p ~ 3e-5, still < 0.005 after a
Bonferroni correction for 100+ regions."""
MIN_TESTED = 200
"""Flagged only with at least this many protocols in the test. Below it the integer count
is small and skewed, so z (a normal approximation) overstates the evidence, and early in a
live count a few protocols would fire the alert."""


class ScreenStatus(Enum):
    """A region's place under the rule."""

    FLAGGED = "flagged"
    """z >= threshold with at least the minimum of protocols tested."""
    TOO_FEW_TESTED = "too_few_tested"
    """z >= threshold on fewer protocols than the minimum: shown, not flagged."""
    BELOW_THRESHOLD = "below_threshold"


def screen(
    tested: int, z: float, threshold: float = Z_THRESHOLD, min_tested: int = MIN_TESTED
) -> ScreenStatus:
    """Classify one region's 'turnout or leader share' integer test."""
    if z < threshold:
        return ScreenStatus.BELOW_THRESHOLD
    return ScreenStatus.FLAGGED if tested >= min_tested else ScreenStatus.TOO_FEW_TESTED
