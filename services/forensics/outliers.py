"""Station outliers: far from their region (robust z), or protocols that do not add up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.forensics.protocols import BoolArray, FloatArray, Protocols

Z_THRESHOLD = 5.0
"""|robust z| beyond which a station is listed; 5 keeps false alarms to a handful
among 100,000 stations even with heavier-than-normal tails."""
_MAD_TO_SD = 1.4826  # MAD of a normal sample times this estimates its s.d.


@dataclass(frozen=True)
class ArithmeticCheck:
    """One protocol identity and the stations that break it."""

    rule: str
    stations: tuple[int, ...]


@dataclass(frozen=True)
class Outliers:
    """Robust z-scores per station and the arithmetic checks."""

    turnout_z: FloatArray
    home_z: FloatArray | None
    arithmetic: tuple[ArithmeticCheck, ...]

    def flagged_turnout(self) -> BoolArray:
        """Stations whose turnout is far from their region's."""
        flagged: BoolArray = np.abs(np.nan_to_num(self.turnout_z)) >= Z_THRESHOLD
        return flagged

    def flagged_home(self) -> BoolArray:
        """Stations with far more home voting than their region (high side only)."""
        if self.home_z is None:
            return np.zeros(self.turnout_z.size, dtype=np.bool_)
        flagged: BoolArray = np.nan_to_num(self.home_z) >= Z_THRESHOLD
        return flagged


def robust_z(values: FloatArray, region: np.ndarray) -> FloatArray:
    """(x - regional median) / (1.4826 * regional MAD); NaN where undefined."""
    z = np.full(values.size, np.nan)
    for code in np.unique(region):
        members = np.flatnonzero((region == code) & ~np.isnan(values))
        if members.size < 5:
            continue
        sample = values[members]
        centre = np.median(sample)
        scale = _MAD_TO_SD * np.median(np.abs(sample - centre))
        if scale > 0:
            z[members] = (sample - centre) / scale
    return z


def arithmetic_checks(p: Protocols) -> tuple[ArithmeticCheck, ...]:
    """Protocol identities that must hold whatever the politics."""
    rules: list[tuple[str, BoolArray]] = [
        ("ballots issued exceed registered voters", p.issued > p.registered),
        ("ballots in boxes exceed ballots issued", p.ballots > p.issued),
    ]
    if p.home_issued is not None:
        rules.append(("home ballots exceed ballots issued", p.home_issued > p.issued))
    if p.leader is not None:
        rules.append(("leader votes exceed valid ballots", p.leader > p.valid))
    if p.candidate_votes is not None:
        total = p.candidate_votes.sum(axis=1)
        rules.append(("candidate votes exceed valid ballots", total > p.valid))
    return tuple(ArithmeticCheck(rule, tuple(np.flatnonzero(bad).tolist())) for rule, bad in rules)


def find_outliers(p: Protocols) -> Outliers:
    """Turnout and home-voting robust z-scores within regions, plus arithmetic checks."""
    turnout_z = robust_z(p.turnout(), p.region)
    home_z = robust_z(p.home_share(), p.region) if p.home_issued is not None else None
    return Outliers(turnout_z, home_z, arithmetic_checks(p))
