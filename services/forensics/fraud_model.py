"""Fit of the Klimek et al. (PNAS 2012) fraud model to an election fingerprint.

Fair stations draw turnout a ~ N(a0, sa) and leader share v ~ N(v0, sv), with a0,
v0 the modes of the observed distributions and sa, sv the spreads on their left
sides (fraud only pushes stations right). A share f_i of stations has
*incremental* fraud with x ~ |N(0, theta)| truncated to [0, 1) (redrawn above 1, as
the authors' fitter does), a share f_e *extreme* fraud with x = 1 - |N(0, 0.075)|:
a fraction x of the non-voters is stuffed for the leader and a fraction x**alpha
of the other candidates' votes moves to the leader. The fit minimises a symmetric
chi-square between simulated and observed 2-D histograms.

Every grid point reuses the same random draws (common random numbers). Stations
are ordered by a uniform u; fraud goes to u < f_i (incremental) and
f_i <= u < f_i + f_e (extreme), so each histogram is a difference of prefix sums
over u-segments and the whole (f_i, f_e) grid costs one bincount per (alpha, theta).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import erf, erfinv

from services.forensics.fingerprint import histogram2d, usable
from services.forensics.fit_search import (
    ALPHAS,
    FI_STRIDE,
    STEP,
    THETAS,
    GridEdge,
    Lattice,
    Result,
    edges,
    search,
)
from services.forensics.protocols import FloatArray, IntArray, Protocols

FIT_BINS = 40
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
    edges: tuple[GridEdge, ...] = ()

    @property
    def misfit(self) -> float:
        """Share of stations the fitted fingerprint puts in other cells than observed
        (half the L1 distance between the two histograms, over the stations)."""
        total = float(self.observed.sum())
        return 0.5 * float(np.abs(self.fitted - self.observed).sum()) / total if total else 0.0


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
    """Fit of f_i, f_e, alpha and theta to the station-weighted fingerprint.

    f_i and f_e are searched exhaustively on their lattice for each (alpha, theta)
    the ladder search visits (``fit_search``)."""
    kept = usable(protocols)
    n = protocols.registered[kept]
    turnout = protocols.issued[kept] / n
    share = protocols.require_leader()[kept] / protocols.ballots[kept]
    observed = histogram2d(turnout, share, bins)
    fair = fair_parameters(turnout, share)
    grid = Lattice.make()
    draws = _Draws.make(n, fair, np.random.default_rng(seed))
    fair_prefix = _prefix(draws, draws.fair_bins(bins), grid.segments, bins)
    extreme_prefix = _prefix(draws, draws.fraud_bins(draws.extreme_x, 1.0, bins), grid.segments, bins)
    loss = _Loss.make(grid, fair_prefix, extreme_prefix, observed.ravel())
    xs: dict[float, FloatArray] = {}

    def evaluate(alpha: float, theta: float) -> Result:
        if theta not in xs:
            xs[theta] = draws.incremental_x(theta)
        flat = draws.fraud_bins(xs[theta], alpha, bins)
        # Incremental fraud is only ever the prefix [0, f_i): f_i's lattice suffices.
        total = loss.of(_prefix(draws, flat, grid.segments, bins, stride=FI_STRIDE))
        total[~grid.valid] = np.inf
        i, j = np.unravel_index(int(np.argmin(total)), total.shape)
        return float(total[i, j]), float(grid.lo[i] * STEP), float(grid.width[j] * STEP)

    (a, t), (loss_value, f_i, f_e) = search(evaluate)
    alpha, theta = ALPHAS[a], THETAS[t]
    fitted = simulate_fingerprint(n, fair, f_i, f_e, alpha, theta, seed, bins)
    fair_only = simulate_fingerprint(n, fair, 0.0, 0.0, alpha, theta, seed, bins)
    return FraudFit(
        f_i, f_e, alpha, theta, loss_value, fair, observed, fitted, fair_only, edges(a, t, f_i, f_e)
    )


@dataclass(frozen=True)
class _Loss:
    """The symmetric chi-square sum((sim - obs)^2 / (sim + obs + 1)) over cells, for every
    (f_i, f_e) at once, given the incremental part. sim = base + inc, where base (fair and
    extreme stations) is fixed, so its terms are prepared once. Cells empty in the data and
    in base for every (f_i, f_e) reduce to inc^2 / (inc + 1), summed apart; float32 halves
    the memory traffic of the (f_i, f_e, cell) arrays, the bulk of the fit's time."""

    occupied: NDArray[np.bool_]
    minus: NDArray[np.float32]
    plus: NDArray[np.float32]

    @staticmethod
    def make(
        grid: Lattice,
        fair_prefix: NDArray[np.float64],
        extreme_prefix: NDArray[np.float64],
        target: FloatArray,
    ) -> _Loss:
        base = extreme_prefix[grid.hi] - extreme_prefix[grid.lo][:, None]
        base += fair_prefix[grid.segments] - fair_prefix[grid.hi]
        occupied = (target > 0) | (base != 0).any(axis=(0, 1))
        base = base[..., occupied]
        kept = target[occupied]
        return _Loss(occupied, (base - kept).astype(np.float32), (base + kept + 1.0).astype(np.float32))

    def of(self, incremental: NDArray[np.float64]) -> NDArray[np.float64]:
        inc = incremental.astype(np.float32)
        inside = inc[:, self.occupied][:, None, :]
        terms = self.minus + inside
        np.square(terms, out=terms)
        terms /= self.plus + inside
        outside = inc[:, ~self.occupied]
        total: NDArray[np.float64] = terms.sum(axis=2, dtype=np.float64)
        total += (np.square(outside) / (outside + 1.0)).sum(axis=1, dtype=np.float64)[:, None]
        return total


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
    x[inc] = draws.incremental_x(theta)[inc]
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
    uniform: FloatArray
    """Quantile of each station's incremental x: the same for every theta."""
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
        uniform = rng.random(size)
        extreme_x = 1.0 - np.minimum(np.abs(rng.normal(0.0, EXTREME_SPREAD, size)), 0.999)
        segment = np.minimum((u / STEP).astype(np.int64), round(1.0 / STEP) - 1)
        return _Draws(n, leader, others, u, segment, uniform, extreme_x)

    def incremental_x(self, theta: float) -> FloatArray:
        """|N(0, theta)| truncated to [0, 1), by its inverse CDF at the stored quantiles."""
        scale = theta * np.sqrt(2.0)
        x: FloatArray = scale * erfinv(self.uniform * erf(1.0 / scale))
        return np.minimum(x, 0.999)

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


def _prefix(
    draws: _Draws, flat_bins: IntArray, segments: int, bins: int, stride: int = 1
) -> NDArray[np.float64]:
    """Histogram of stations with u below every ``stride``-th lattice point:
    shape (segments / stride + 1, bins^2)."""
    cells = bins * bins
    groups = segments // stride
    per_group = np.bincount((draws.segment // stride) * cells + flat_bins, minlength=groups * cells)
    prefix = np.zeros((groups + 1, cells), dtype=np.float64)
    np.cumsum(per_group.reshape(groups, cells), axis=0, out=prefix[1:])
    return prefix
