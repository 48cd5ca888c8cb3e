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

from services.common.forensics.protocols import BoolArray, FloatArray, Protocols

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
