"""Election fingerprints: histograms of turnout against the leader's share.

Klimek, Yegorov, Hanel & Thurner (PNAS 2012) plot, per station, turnout against
the winner's vote share as a 2-D histogram; fair elections give one roughly
Gaussian blob, ballot stuffing smears it towards the top right and extreme fraud
piles stations up at (100 %, 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import NDArray

from services.forensics.protocols import BoolArray, FloatArray, IntArray, Protocols

DEFAULT_BINS = 100


class Weighting(Enum):
    """What one histogram count stands for."""

    STATIONS = "stations"
    VOTERS = "voters"


@dataclass(frozen=True)
class Fingerprint:
    """A bins x bins histogram; rows are turnout bins, columns leader-share bins."""

    counts: NDArray[np.float64]
    weighting: Weighting

    @property
    def bins(self) -> int:
        """Bins per axis (both axes span 0..1)."""
        return int(self.counts.shape[0])

    @property
    def edges(self) -> FloatArray:
        """Bin edges shared by both axes, as fractions."""
        edges: FloatArray = np.linspace(0.0, 1.0, self.bins + 1)
        return edges


def usable(protocols: Protocols) -> BoolArray:
    """Stations where both turnout and leader share are defined and at most 100 %."""
    leader = protocols.require_leader()
    ballots = protocols.ballots
    keep: BoolArray = (
        (protocols.registered > 0)
        & (ballots > 0)
        & (protocols.issued <= protocols.registered)
        & (leader <= ballots)
    )
    return keep


def bin_index(values: FloatArray, bins: int) -> NDArray[np.int64]:
    """Bin of each fraction in [0, 1] on a regular grid; 1.0 goes to the last bin."""
    index: NDArray[np.int64] = np.minimum((values * bins).astype(np.int64), bins - 1)
    return index


def histogram2d(
    turnout: FloatArray, share: FloatArray, bins: int, weights: FloatArray | None = None
) -> NDArray[np.float64]:
    """Fast 2-D histogram on the unit square (one bincount, no edge searches)."""
    flat = bin_index(turnout, bins) * bins + bin_index(share, bins)
    counts = np.bincount(flat, weights=weights, minlength=bins * bins).astype(np.float64)
    return counts.reshape(bins, bins)


def fingerprint(
    protocols: Protocols, weighting: Weighting = Weighting.STATIONS, bins: int = DEFAULT_BINS
) -> Fingerprint:
    """The observed election fingerprint."""
    kept = usable(protocols)
    turnout = protocols.issued[kept] / protocols.registered[kept]
    share = protocols.require_leader()[kept] / protocols.ballots[kept]
    weights = None
    if weighting is Weighting.VOTERS:
        weights = protocols.registered[kept].astype(np.float64)
    return Fingerprint(histogram2d(turnout, share, bins, weights), weighting)


def percent_histogram(
    percent: FloatArray, weights: FloatArray | None = None, binwidth: float = 0.1
) -> tuple[FloatArray, FloatArray]:
    """Histogram in bins centred on multiples of ``binwidth`` (AoAS figures: 0.1 pt).

    Centred bins put each whole percentage in the middle of its own bin, so the
    integer peaks stand out. Returns (centres, counts).
    """
    edges = np.arange(-binwidth / 2, 100 + binwidth, binwidth)
    counts, _ = np.histogram(percent, bins=edges, weights=weights)
    centres: FloatArray = (edges[:-1] + edges[1:]) / 2
    return centres, counts.astype(np.float64)


def chance_percent_histogram(
    counts: IntArray,
    totals: IntArray,
    weights: FloatArray,
    rng: np.random.Generator,
    draws: int = 20,
    binwidth: float = 0.1,
) -> tuple[FloatArray, FloatArray]:
    """What ``percent_histogram`` of ``100 * counts / totals`` would be by chance alone:
    the mean over ``draws`` redraws of every count from Binomial(total, its observed rate),
    the null of the integer test. Small stations keep their coarse steps (a station of
    200 voters can only report multiples of 0.5 %), so whole percentages they hit by
    chance are in the expected curve too. ``totals`` must be positive; a rate above 1
    (a protocol with more ballots than voters) is redrawn at 1."""
    rate = np.minimum(counts / totals, 1.0)
    centres, expected = percent_histogram(np.empty(0), binwidth=binwidth)
    for _ in range(draws):
        redrawn = rng.binomial(totals, rate)
        expected += percent_histogram(100.0 * redrawn / totals, weights, binwidth)[1]
    expected /= draws
    return centres, expected
