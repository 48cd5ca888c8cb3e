"""Integer-percentage excess (Kobak, Shpilkin & Pshenichnikov, AoAS 2016).

A station is "integer" when its turnout or its leader share lies within 0.05
points of a whole percentage. Under the binomial null (each station's counts
redrawn from binomials at its own observed rates) the number of integer stations
is a sum of independent Bernoullis (see ``integer_null``); the excess is the
observed count minus the Monte-Carlo mean, as in the authors' code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.forensics.integer_null import hit_probability, integer_hits
from services.forensics.protocols import BoolArray, FloatArray, IntArray, Protocols
from services.forensics.region_screen import ScreenStatus, screen

MIN_REGISTERED = 100
"""The AoAS filter: stations with fewer registered voters are left out."""
MAX_RATE = 0.99
"""The AoAS filter: turnout or leader share above 99 % is left out (trivially round)."""
DEFAULT_SIMULATIONS = 1000
_SIM_BLOCK = 50  # simulations drawn at once; bounds memory at ~20 MB per 100k stations


@dataclass(frozen=True)
class ExcessTest:
    """Observed integer stations against the binomial null, for one statistic."""

    label: str
    stations: int
    observed: int
    expected: float
    null_mean: float
    null_std: float
    p_value: float

    @property
    def excess(self) -> float:
        """Observed minus Monte-Carlo mean: the authors' 'integer anomaly'."""
        return self.observed - self.null_mean

    @property
    def z(self) -> float:
        """Excess in null standard deviations (exact variance of the Bernoulli sum)."""
        return self.excess / self.null_std if self.null_std > 0 else 0.0


@dataclass(frozen=True)
class RegionExcess:
    """The 'either' statistic restricted to one region, for the region screen."""

    region: str
    test: ExcessTest

    @property
    def status(self) -> ScreenStatus:
        """The region under the shared rule (``region_screen``)."""
        return screen(self.test.stations, self.test.z)

    @property
    def flagged(self) -> bool:
        """Whether the region's excess is far beyond chance on enough protocols."""
        return self.status is ScreenStatus.FLAGGED


@dataclass(frozen=True)
class IntegerExcessResult:
    """National tests (either / turnout / leader share) and per-region screen."""

    either: ExcessTest
    turnout: ExcessTest
    share: ExcessTest | None
    regions: tuple[RegionExcess, ...]
    simulations: int
    seed: int


def aoas_mask(protocols: Protocols) -> BoolArray:
    """Stations kept by the AoAS 2016 filters (>= 100 registered, rates <= 99 %)."""
    return aoas_keep(protocols.registered, protocols.issued, protocols.ballots, protocols.leader)


def aoas_keep(
    registered: IntArray, issued: IntArray, ballots: IntArray, leader: IntArray | None
) -> BoolArray:
    """The AoAS 2016 filters on plain columns (``leader`` None: turnout only)."""
    keep: BoolArray = registered >= MIN_REGISTERED
    # Written as the authors do (given / voters <= .99) so float boundaries agree.
    with np.errstate(divide="ignore", invalid="ignore"):
        keep &= issued / np.maximum(registered, 1) <= MAX_RATE
        if leader is not None:
            keep &= ballots > 0
            keep &= leader / np.maximum(ballots, 1) <= MAX_RATE
    return keep


def integer_excess(
    protocols: Protocols,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 0,
    by_region: bool = True,
) -> IntegerExcessResult:
    """Integer-percentage excess nationally and (optionally) per region."""
    kept = protocols.subset(aoas_mask(protocols))
    turnout_hit = integer_hits(kept.issued, kept.registered)
    q_turnout = hit_probability(kept.registered, kept.issued / kept.registered)
    if kept.leader is not None:
        share_hit = integer_hits(kept.leader, kept.ballots)
        q_share = hit_probability(kept.ballots, kept.leader / kept.ballots)
    else:
        share_hit = np.zeros(kept.size, dtype=np.bool_)
        q_share = np.zeros(kept.size, dtype=np.float64)
    q_either = 1.0 - (1.0 - q_turnout) * (1.0 - q_share)
    order = np.argsort(kept.region, kind="stable")
    region_sorted = kept.region[order]
    present, starts = np.unique(region_sorted, return_index=True)
    sims = _simulate(q_turnout[order], q_share[order], starts, simulations, np.random.default_rng(seed))
    either_hit = turnout_hit | share_hit
    # Without candidate votes the "either" test is the turnout test, and says so.
    either_label = "turnout or leader share" if kept.leader is not None else "turnout"
    either = _test(either_label, either_hit, q_either, sims.either_total)
    turnout = _test("turnout", turnout_hit, q_turnout, sims.turnout_total)
    share = _test("leader share", share_hit, q_share, sims.share_total) if kept.leader is not None else None
    regions: list[RegionExcess] = []
    if by_region:
        for column, (code, start) in enumerate(zip(present, starts, strict=True)):
            stop = starts[column + 1] if column + 1 < starts.size else order.size
            members = order[start:stop]
            test = _test(
                either_label,
                either_hit[members],
                q_either[members],
                sims.either_by_region[:, column],
            )
            regions.append(RegionExcess(kept.region_names[int(code)], test))
    return IntegerExcessResult(either, turnout, share, tuple(regions), simulations, seed)


@dataclass(frozen=True)
class _Simulated:
    either_total: IntArray
    turnout_total: IntArray
    share_total: IntArray
    either_by_region: IntArray


def _simulate(
    q_turnout: FloatArray,
    q_share: FloatArray,
    starts: IntArray,
    simulations: int,
    rng: np.random.Generator,
) -> _Simulated:
    """Draw the Bernoulli hits; one uniform per station gives the joint outcome.

    With u ~ U(0, 1): turnout hit iff u < qt; share hit iff u < qt*qs or
    qt <= u < qt + qs*(1 - qt). That has P(turnout)=qt, P(share)=qs and the two
    independent, as the two binomial draws in the paper are.
    """
    qt = q_turnout.astype(np.float32)
    both = (q_turnout * q_share).astype(np.float32)
    either = (q_turnout + q_share * (1.0 - q_turnout)).astype(np.float32)
    either_total = np.zeros(simulations, dtype=np.int64)
    turnout_total = np.zeros(simulations, dtype=np.int64)
    share_total = np.zeros(simulations, dtype=np.int64)
    by_region = np.zeros((simulations, starts.size), dtype=np.int64)
    for first in range(0, simulations, _SIM_BLOCK):
        block = min(_SIM_BLOCK, simulations - first)
        rows = slice(first, first + block)
        u = rng.random((block, qt.size), dtype=np.float32)
        turnout_hit = u < qt
        either_hit = u < either
        share_hit = (u < both) | (either_hit & ~turnout_hit)
        turnout_total[rows] = turnout_hit.sum(axis=1)
        share_total[rows] = share_hit.sum(axis=1)
        either_total[rows] = either_hit.sum(axis=1)
        if starts.size:
            by_region[rows] = np.add.reduceat(either_hit.view(np.uint8), starts, axis=1, dtype=np.int64)
    return _Simulated(either_total, turnout_total, share_total, by_region)


def _test(label: str, hits: BoolArray, q: FloatArray, simulated: IntArray) -> ExcessTest:
    observed = int(hits.sum())
    # Exceedances counted with the +1 correction so p is never reported as 0.
    p_value = (1.0 + float(np.sum(simulated >= observed))) / (1.0 + simulated.size)
    return ExcessTest(
        label=label,
        stations=int(hits.size),
        observed=observed,
        expected=float(q.sum()),
        null_mean=float(simulated.mean()) if simulated.size else float(q.sum()),
        null_std=float(np.sqrt(np.sum(q * (1.0 - q)))),
        p_value=p_value,
    )
