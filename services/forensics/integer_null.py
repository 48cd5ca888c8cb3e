"""Exact per-station probability of an integer percentage under the binomial null.

Kobak, Shpilkin & Pshenichnikov (AoAS 2016) draw, for every station, the leader's
votes from Binomial(ballots, observed share) and the issued ballots from
Binomial(registered, observed turnout), 1,000 times, and count stations whose
simulated percentage lies within 0.05 points of a whole number. Drawing 2 x 95,000
binomials 1,000 times costs ~20 s here, so instead we compute each station's hit
probability ``q`` exactly (a sum of binomial pmf terms over the few counts that
land on an integer percentage). The simulated integer count is then a sum of
independent Bernoulli(q) variables, which has exactly the same distribution as the
paper's count; ``integer_excess`` draws those Bernoullis for its Monte-Carlo.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln, xlog1py, xlogy

from services.forensics.protocols import BoolArray, FloatArray, IntArray

HALF_WIDTH = 0.05
"""A percentage counts as integer within this many points of a whole number."""

_TAIL_SD = 8.0  # binomial mass beyond 8 sd: < 1e-8 even for tiny, skewed stations
_CHUNK = 8192  # stations per chunk, bounds the flattened candidate arrays


def integer_hits(counts: IntArray, totals: IntArray) -> BoolArray:
    """Whether ``100 * counts / totals`` is within HALF_WIDTH of an integer.

    Same float arithmetic as the authors' code, so boundary cases agree.
    """
    percent = 100.0 * counts / totals
    result: BoolArray = np.abs(percent - np.round(percent)) <= HALF_WIDTH
    return result


def hit_probability(totals: IntArray, prob: FloatArray) -> FloatArray:
    """P(100 * K / n is an integer percentage) for K ~ Binomial(n, p), per station."""
    totals = np.asarray(totals, dtype=np.int64)
    prob = np.clip(np.asarray(prob, dtype=np.float64), 0.0, 1.0)
    out = np.zeros(totals.size, dtype=np.float64)
    if totals.size == 0:
        return out
    log_factorial = gammaln(np.arange(int(totals.max()) + 2, dtype=np.float64) + 1.0)
    for start in range(0, totals.size, _CHUNK):
        stop = min(start + _CHUNK, totals.size)
        out[start:stop] = _chunk_probability(totals[start:stop], prob[start:stop], log_factorial)
    return out


def _chunk_probability(n: IntArray, p: FloatArray, log_factorial: NDArray[np.float64]) -> FloatArray:
    mean = n * p
    # The constant term covers small, skewed stations where sd alone undershoots the tail.
    spread = _TAIL_SD * np.sqrt(n * p * (1.0 - p)) + 12.0
    k_low = np.clip(np.floor(mean - spread), 0, n).astype(np.int64)
    k_high = np.clip(np.ceil(mean + spread), 0, n).astype(np.int64)
    # Integer percentages j whose hit window can meet [k_low, k_high].
    j_low = np.floor(100.0 * k_low / n).astype(np.int64)
    j_high = np.ceil(100.0 * k_high / n).astype(np.int64)
    per_station = j_high - j_low + 1
    station = np.repeat(np.arange(n.size), per_station)
    offsets = np.arange(station.size) - np.repeat(np.cumsum(per_station) - per_station, per_station)
    j = j_low[station] + offsets
    n_j = n[station]
    # Counts that could round to within HALF_WIDTH of j (one spare on each side
    # absorbs float error; the exact test below decides).
    first = np.maximum(np.floor(n_j * (j - HALF_WIDTH) / 100.0).astype(np.int64), k_low[station])
    last = np.minimum(np.ceil(n_j * (j + HALF_WIDTH) / 100.0).astype(np.int64), k_high[station])
    width = np.maximum(last - first + 1, 0)
    owner = np.repeat(station, width)
    shift = np.arange(owner.size) - np.repeat(np.cumsum(width) - width, width)
    k = np.repeat(first, width) + shift
    n_k = n[owner]
    percent = 100.0 * k / n_k
    nearest = np.round(percent)
    # Each count belongs to exactly one nearest integer, so windows never double count.
    keep = (np.abs(percent - nearest) <= HALF_WIDTH) & (nearest == np.repeat(j, width))
    owner, k, n_k = owner[keep], k[keep], n_k[keep]
    p_k = p[owner]
    log_pmf = (
        log_factorial[n_k]
        - log_factorial[k]
        - log_factorial[n_k - k]
        + xlogy(k, p_k)
        + xlog1py(n_k - k, -p_k)
    )
    mass = np.bincount(owner, weights=np.exp(log_pmf), minlength=n.size).astype(np.float64)
    result: FloatArray = np.minimum(mass, 1.0)
    return result
