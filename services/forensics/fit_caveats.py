"""When the fraud-model fit should not be read at face value, in words for the report and
the figures.

The Klimek et al. model starts from a "fair" peak (the modes of turnout and leader share
and the spreads on their left sides). Where the data have no such peak, or the best
model still looks unlike the data, its f_i and f_e are numbers without a meaning; where
a parameter sits at an end of its searched range, the best fit may lie beyond it.
"""

from __future__ import annotations

from services.forensics.fraud_model import FraudFit

FAIR_MODE_MAX = 0.9
"""A fair peak at or above 90 % is the high-turnout pile, not a fair peak."""
FAIR_SPREAD_MAX = 0.2
"""A fair spread of 20 points or more is no peak at all."""
POOR_MISFIT = 0.3
"""Misfit at or above this means the model does not describe the election (Russia 2011:
0.23, 2012: 0.15; Bulgaria 2021: 0.35, Russia 2024: 0.49)."""

STANDING = (
    "A fit is not proof of fraud: it says how much ballot stuffing of this one kind would "
    "reproduce the pattern, and it tends to underestimate f_i (docs/forensics.md)."
)


def not_meaningful(fit: FraudFit) -> bool:
    """Whether f_i and f_e mean nothing for this election (no fair peak, or a poor fit)."""
    return _no_fair_peak(fit) or fit.misfit >= POOR_MISFIT


def fit_caveats(fit: FraudFit) -> tuple[str, ...]:
    """Every reason to distrust this fit, most serious first (empty: none found)."""
    fair = fit.fair
    out: list[str] = []
    if _no_fair_peak(fit):
        out.append(
            f"No fair-looking peak to start from: the model's fair stations have turnout "
            f"{fair.turnout:.0%} ± {fair.turnout_sd:.0%} and leader share {fair.share:.0%} "
            f"± {fair.share_sd:.0%}, unlike the observed data, so f_i and f_e mean nothing here."
        )
    if fit.misfit >= POOR_MISFIT:
        out.append(
            f"The best model still looks unlike the data: {fit.misfit:.0%} of stations would "
            f"have to move to another cell to match it, so f_i and f_e are unreliable."
        )
    for edge in fit.edges:
        out.append(
            f"{edge.parameter} = {edge.value:g} is at the {edge.side} end of the searched "
            f"range: the best fit may lie beyond it."
        )
    return tuple(out)


def _no_fair_peak(fit: FraudFit) -> bool:
    fair = fit.fair
    return (
        max(fair.turnout, fair.share) >= FAIR_MODE_MAX
        or max(fair.turnout_sd, fair.share_sd) >= FAIR_SPREAD_MAX
    )
