"""Where the fraud-model fit looks: the (f_i, f_e) lattice and the (alpha, theta) ladders.

f_i and f_e are searched exhaustively on their lattice for every (alpha, theta) visited.
alpha and theta start from every pair of the base rungs (alpha up to 2, the authors'
fitter's range; theta up to 0.4) and widen only where the best fit sits at an edge; a fit
left at an end of a ladder is reported as a ``GridEdge``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from services.forensics.protocols import IntArray

STEP = 0.005
"""Lattice of fraud fractions; f_e moves on it, f_i on every ``FI_STRIDE``-th point."""
FI_STRIDE = 4
"""Divides 1 / STEP, so f_i's points are every FI_STRIDE-th segment boundary."""
MAX_EXTREME = 0.25
ALPHAS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
"""Searched exhaustively up to 2, beyond only while the best fit sits at the edge; above
~8, x**alpha ~ 0: hardly a vote moves."""
THETAS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
"""Exhaustive up to 0.4, beyond as for alpha; above 1 the truncated |N(0, theta)| is
nearly uniform on [0, 1)."""
BASE = (4, 7)
"""Rungs of (ALPHAS, THETAS) searched exhaustively."""

Point = tuple[int, int]
Result = tuple[float, float, float]
"""(loss, f_i, f_e) of the best lattice point for one (alpha, theta)."""


@dataclass(frozen=True)
class GridEdge:
    """A fitted parameter at an end of its searched range: the best value may lie beyond."""

    parameter: str
    value: float
    side: Literal["lower", "upper"]


def search(evaluate: Callable[[float, float], Result]) -> tuple[Point, Result]:
    """Every (alpha, theta) of the base rungs, then a walk to better neighbouring rungs
    (8-neighbourhood) for as long as there is one: the grid widens only where the
    best fit sits at its edge. The loss, minimised over (f_i, f_e), has had a single
    basin over (alpha, theta) on every election tried (tests/data_checks/forensics)."""
    seen: dict[Point, Result] = {}

    def at(point: Point) -> float:
        if point not in seen:
            seen[point] = evaluate(ALPHAS[point[0]], THETAS[point[1]])
        return seen[point][0]

    best = min(itertools.product(range(BASE[0]), range(BASE[1])), key=at)
    while True:
        around = [(best[0] + da, best[1] + dt) for da, dt in itertools.product((-1, 0, 1), repeat=2)]
        inside = [p for p in around if 0 <= p[0] < len(ALPHAS) and 0 <= p[1] < len(THETAS)]
        nearest = min(inside, key=at)
        if nearest == best:
            return best, seen[best]
        best = nearest


def edges(a: int, t: int, f_i: float, f_e: float) -> tuple[GridEdge, ...]:
    """Parameters whose best value is an end of the searched range (so the optimum may lie
    beyond it). alpha and theta shape only incremental fraud: without any they say nothing."""
    found: list[GridEdge] = []
    if f_i > 0:
        for name, index, ladder in (("alpha", a, ALPHAS), ("theta", t, THETAS)):
            if index in (0, len(ladder) - 1):
                found.append(GridEdge(name, ladder[index], "lower" if index == 0 else "upper"))
    if f_e >= MAX_EXTREME:
        found.append(GridEdge("f_e", f_e, "upper"))
    return tuple(found)


@dataclass(frozen=True)
class Lattice:
    """(f_i, f_e) points as [lo, hi) segments of the u-ordered stations."""

    segments: int
    lo: IntArray
    width: IntArray
    hi: IntArray
    valid: NDArray[np.bool_]

    @staticmethod
    def make() -> Lattice:
        """Every f_i on its stride, every f_e up to MAX_EXTREME; valid where f_i + f_e <= 1."""
        segments = round(1.0 / STEP)
        lo = np.arange(0, segments + 1, FI_STRIDE)
        width = np.arange(0, round(MAX_EXTREME / STEP) + 1)
        hi = lo[:, None] + width[None, :]
        return Lattice(segments, lo, width, np.minimum(hi, segments), hi <= segments)
