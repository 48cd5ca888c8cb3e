"""Fit of the Klimek et al. (PNAS 2012) fraud model to an election fingerprint.

Fair stations draw turnout a ~ N(a0, sa) and leader share v ~ N(v0, sv), with a0,
v0 the modes of the observed distributions and sa, sv the spreads on their left
sides (fraud only pushes stations right). A share f_i of stations has
*incremental* fraud with x ~ |N(0, theta)|, a share f_e *extreme* fraud with
x = 1 - |N(0, 0.075)|: a fraction x of the non-voters is stuffed for the leader and
a fraction x**alpha of the other candidates' votes moves to the leader. The fit
minimises a symmetric chi-square between simulated and observed 2-D histograms.

Every grid point reuses the same random draws (common random numbers). Stations
are ordered by a uniform u; fraud goes to u < f_i (incremental) and
f_i <= u < f_i + f_e (extreme), so each histogram is a difference of prefix sums
over u-segments and the whole (f_i, f_e) grid costs one bincount per (alpha, theta).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.common.forensics.fingerprint import histogram2d, usable
from services.common.forensics.protocols import FloatArray, IntArray, Protocols

FIT_BINS = 40
STEP = 0.005
"""Lattice of fraud fractions; f_e moves on it, f_i on every ``_FI_STRIDE``-th point."""
_FI_STRIDE = 4
MAX_EXTREME = 0.25
ALPHAS = (0.5, 1.0, 1.5, 2.0)
THETAS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
MODE_SHIFTS = (0.0,)
EXTREME_SPREAD = 0.075


@dataclass(frozen=True)
class FairParameters:
    """Mode and left-side spread of turnout and leader share."""

    turnout: float
    turnout_sd: float
    share: float
    share_sd: float


@dataclass(frozen=True)
class FraudFit:
    """Best grid point with the observed, fitted and fair fingerprints (FIT_BINS^2)."""

    incremental: float
    extreme: float
    alpha: float
    theta: float
    loss: float
    fair: FairParameters
    observed: NDArray[np.float64]
    fitted: NDArray[np.float64]
    fair_model: NDArray[np.float64]


def fair_parameters(turnout: FloatArray, share: FloatArray) -> FairParameters:
    """Modes and left-side spreads, robust to the fraud tail on the right."""
    a0, sa = _mode_and_left_spread(turnout)
    v0, sv = _mode_and_left_spread(share)
    return FairParameters(a0, sa, v0, sv)


def _mode_and_left_spread(values: FloatArray) -> tuple[float, float]:
    body = values[values < 0.98]  # the pile at 100 % must not win the mode
    counts, edges = np.histogram(body, bins=200, range=(0.0, 1.0))
    smooth = np.convolve(counts, np.ones(5) / 5, mode="same")
    peak = int(np.argmax(smooth))
    mode = float((edges[peak] + edges[peak + 1]) / 2)
    left = body[body < mode] - mode
    spread = float(np.sqrt(np.mean(left**2))) if left.size else 0.05
    return mode, max(spread, 0.005)


def fit_fraud_model(protocols: Protocols, seed: int = 0, bins: int = FIT_BINS) -> FraudFit:
    """Grid fit of f_i, f_e, alpha and theta to the station-weighted fingerprint."""
    kept = usable(protocols)
    n = protocols.registered[kept]
    turnout = protocols.issued[kept] / n
    share = protocols.require_leader()[kept] / protocols.ballots[kept]
    observed = histogram2d(turnout, share, bins)
    estimate = fair_parameters(turnout, share)
    segments = round(1.0 / STEP)
    lo = np.arange(0, segments + 1, _FI_STRIDE)
    width = np.arange(0, round(MAX_EXTREME / STEP) + 1)
    hi = lo[:, None] + width[None, :]
    valid = hi <= segments
    hi = np.minimum(hi, segments)
    target = observed.ravel()
    best: tuple[float, float, float, float, float, FairParameters] | None = None
    # Fraud drags the observed modes right; the fair modes are searched just left of them.
    for shift_a, shift_v in itertools.product(MODE_SHIFTS, MODE_SHIFTS):
        fair = FairParameters(
            estimate.turnout + shift_a,
            estimate.turnout_sd,
            estimate.share + shift_v,
            estimate.share_sd,
        )
        draws = _Draws.make(n, fair, np.random.default_rng(seed))
        fair_prefix = _prefix(draws, draws.fair_bins(bins), segments, bins)
        extreme_bins = draws.fraud_bins(draws.extreme_x, 1.0, bins)
        extreme_prefix = _prefix(draws, extreme_bins, segments, bins)
        # Fair and extreme parts do not depend on alpha or theta.
        base = extreme_prefix[hi] - extreme_prefix[lo][:, None]
        base += fair_prefix[segments] - fair_prefix[hi]
        for theta, alpha in itertools.product(THETAS, ALPHAS):
            x = np.minimum(theta * draws.half_normal, 0.999)
            inc_prefix = _prefix(draws, draws.fraud_bins(x, alpha, bins), segments, bins)
            simulated = base + inc_prefix[lo][:, None]
            loss = np.sum((simulated - target) ** 2 / (simulated + target + 1), axis=2)
            loss[~valid] = np.inf
            i, j = np.unravel_index(int(np.argmin(loss)), loss.shape)
            if best is None or loss[i, j] < best[0]:
                best = (float(loss[i, j]), lo[i] * STEP, width[j] * STEP, alpha, theta, fair)
    assert best is not None
    loss_value, f_i, f_e, alpha, theta, fair = best
    fitted = simulate_fingerprint(n, fair, f_i, f_e, alpha, theta, seed, bins)
    fair_only = simulate_fingerprint(n, fair, 0.0, 0.0, alpha, theta, seed, bins)
    return FraudFit(f_i, f_e, alpha, theta, loss_value, fair, observed, fitted, fair_only)


def simulate_fingerprint(
    registered: IntArray,
    fair: FairParameters,
    incremental: float,
    extreme: float,
    alpha: float,
    theta: float,
    seed: int,
    bins: int = FIT_BINS,
) -> NDArray[np.float64]:
    """Model fingerprint for given parameters, with the same draws the fit uses."""
    draws = _Draws.make(registered, fair, np.random.default_rng(seed))
    x = np.zeros(registered.size)
    inc = draws.u < incremental
    ext = (draws.u >= incremental) & (draws.u < incremental + extreme)
    x[inc] = np.minimum(theta * draws.half_normal[inc], 0.999)
    x[ext] = draws.extreme_x[ext]
    alphas = np.where(ext, 1.0, alpha)
    turnout, share = draws.apply(x, alphas)
    return histogram2d(turnout, share, bins)


@dataclass(frozen=True)
class _Draws:
    n: IntArray
    leader: IntArray
    others: IntArray
    u: FloatArray
    segment: IntArray
    half_normal: FloatArray
    extreme_x: FloatArray

    @staticmethod
    def make(n: IntArray, fair: FairParameters, rng: np.random.Generator) -> _Draws:
        size = n.size
        a = np.clip(rng.normal(fair.turnout, fair.turnout_sd, size), 0.0, 1.0)
        v = np.clip(rng.normal(fair.share, fair.share_sd, size), 0.0, 1.0)
        leader = np.round(n * a * v).astype(np.int64)
        others = np.round(n * a * (1.0 - v)).astype(np.int64)
        others = np.minimum(others, n - leader)
        u = rng.random(size)
        half_normal = np.abs(rng.normal(0.0, 1.0, size))
        extreme_x = 1.0 - np.minimum(np.abs(rng.normal(0.0, EXTREME_SPREAD, size)), 0.999)
        segment = np.minimum((u / STEP).astype(np.int64), round(1.0 / STEP) - 1)
        return _Draws(n, leader, others, u, segment, half_normal, extreme_x)

    def apply(self, x: FloatArray, alpha: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        stuffed = np.floor(x * (self.n - self.leader - self.others))
        stolen = np.round(x**alpha * self.others)
        leader = self.leader + stuffed + stolen
        votes = self.leader + self.others + stuffed
        turnout = votes / self.n
        share = np.divide(leader, votes, out=np.zeros_like(leader, dtype=np.float64), where=votes > 0)
        return turnout, share

    def fair_bins(self, bins: int) -> IntArray:
        return self.fraud_bins(np.zeros(self.n.size), 1.0, bins)

    def fraud_bins(self, x: FloatArray, alpha: float, bins: int) -> IntArray:
        turnout, share = self.apply(x, alpha)
        index: IntArray = np.minimum((turnout * bins).astype(np.int64), bins - 1) * bins
        index += np.minimum((share * bins).astype(np.int64), bins - 1)
        return index


def _prefix(draws: _Draws, flat_bins: IntArray, segments: int, bins: int) -> NDArray[np.float64]:
    """Histogram of stations with u below each lattice point: shape (segments+1, bins^2)."""
    cells = bins * bins
    per_segment = np.bincount(draws.segment * cells + flat_bins, minlength=segments * cells)
    prefix = np.zeros((segments + 1, cells), dtype=np.float64)
    np.cumsum(per_segment.reshape(segments, cells), axis=0, out=prefix[1:])
    return prefix
