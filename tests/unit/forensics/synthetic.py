"""Synthetic elections for the forensics tests: clean, integer-rigged, stuffed."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from services.forensics.protocols import Protocols

Ints = NDArray[np.int64]


def clean_election(seed: int, stations: int = 20_000, regions: int = 20, turnout: float = 0.6) -> Protocols:
    """Fair election: Gaussian region and station effects, binomial counting noise."""
    rng = np.random.default_rng(seed)
    region = rng.integers(0, regions, stations).astype(np.int32)
    registered = rng.integers(300, 3000, stations)
    region_turnout = rng.normal(turnout, 0.03, regions)
    region_share = rng.normal(0.45, 0.04, regions)
    t = np.clip(region_turnout[region] + rng.normal(0, 0.05, stations), 0.05, 0.95)
    s = np.clip(region_share[region] + rng.normal(0, 0.05, stations), 0.05, 0.95)
    issued = rng.binomial(registered, t)
    ballots = issued - rng.binomial(issued, 0.002)
    invalid = rng.binomial(ballots, 0.015)
    valid = ballots - invalid
    leader = rng.binomial(valid, s)
    second = rng.binomial(valid - leader, 0.6)
    votes = np.column_stack([leader, second, valid - leader - second])
    return Protocols(
        name=f"synthetic clean {seed}",
        station_ids=tuple(f"S{i}" for i in range(stations)),
        region=region,
        region_names=tuple(f"R{r}" for r in range(regions)),
        registered=registered,
        issued=issued,
        home_issued=rng.binomial(issued, 0.05),
        valid=valid,
        invalid=invalid,
        leader=leader,
        leader_name="A",
        candidate_votes=votes,
        candidate_names=("A", "B", "C"),
    )


def rebuild(p: Protocols, issued: Ints, valid: Ints, leader: Ints) -> Protocols:
    """Same stations with new issued / valid / leader counts (others adjusted)."""
    assert p.candidate_votes is not None
    others = valid - leader
    split = p.candidate_votes[:, 1] / np.maximum(p.candidate_votes[:, 1:].sum(axis=1), 1)
    second = np.round(others * split).astype(np.int64)
    votes = np.column_stack([leader, second, others - second])
    return Protocols(
        name=p.name + " (altered)",
        station_ids=p.station_ids,
        region=p.region,
        region_names=p.region_names,
        registered=p.registered,
        issued=issued,
        home_issued=p.home_issued,
        valid=valid,
        invalid=p.invalid,
        leader=leader,
        leader_name=p.leader_name,
        candidate_votes=votes,
        candidate_names=p.candidate_names,
    )


def rig_integer_turnout(
    p: Protocols, seed: int, fraction: float, regions: tuple[int, ...]
) -> tuple[Protocols, int]:
    """Rewrite turnout to a whole percentage in ``fraction`` of the given regions' stations.

    Returns the altered election and how many stations really became integer.
    """
    assert p.leader is not None
    rng = np.random.default_rng(seed)
    chosen = np.isin(p.region, regions) & (rng.random(p.size) < fraction)
    target = np.round(100 * p.issued / p.registered) + rng.integers(1, 6, p.size)
    new_issued = np.round(p.registered * np.minimum(target, 95) / 100).astype(np.int64)
    percent = 100.0 * new_issued / p.registered
    landed = chosen & (np.abs(percent - np.round(percent)) <= 0.05)
    issued = np.where(landed, new_issued, p.issued)
    added = issued - p.issued
    return rebuild(p, issued, p.valid + added, p.leader + added), int(landed.sum())


def stuff_ballots(
    p: Protocols,
    seed: int,
    incremental: float,
    extreme: float,
    alpha: float = 1.0,
    theta: float = 0.1,
) -> Protocols:
    """Klimek et al. (2012) fraud: ballot stuffing plus vote stealing, as the model assumes."""
    assert p.leader is not None
    rng = np.random.default_rng(seed)
    u = rng.random(p.size)
    x = np.zeros(p.size)
    inc = u < incremental
    ext = (u >= incremental) & (u < incremental + extreme)
    x[inc] = np.minimum(np.abs(rng.normal(0, theta, int(inc.sum()))), 0.999)
    x[ext] = 1.0 - np.minimum(np.abs(rng.normal(0, 0.075, int(ext.sum()))), 0.999)
    others = p.valid - p.leader
    stuffed = np.floor(x * (p.registered - p.issued)).astype(np.int64)
    stolen = np.round(x**alpha * others).astype(np.int64)
    issued = p.issued + stuffed
    return rebuild(p, issued, p.valid + stuffed, p.leader + stuffed + stolen)
