"""The columnar input of every forensic method: one final protocol per station."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from services.forensics.errors import NotComputableError, ProtocolsError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _as_counts(name: str, values: object, size: int | None) -> IntArray:
    array = np.asarray(values, dtype=np.int64)
    if array.ndim != 1:
        raise ProtocolsError(f"{name}: expected a 1-D array, got shape {array.shape}")
    if size is not None and array.size != size:
        raise ProtocolsError(f"{name}: {array.size} values for {size} stations")
    if array.size and int(array.min()) < 0:
        raise ProtocolsError(f"{name}: negative count")
    return array


@dataclass(frozen=True)
class Protocols:
    """Final protocols of one election, one array element per station.

    ``issued`` counts every ballot handed out, home voting included (the
    literature's "given" ballots); ``home_issued`` is the part issued outside the
    station (mobile box), ``None`` when the source does not say. ``leader`` is the
    vote count of the national winner, ``None`` when the source has no candidate
    votes (then the fingerprint and leader-share tests cannot be computed).
    ``region`` holds codes indexing ``region_names``.
    """

    name: str
    station_ids: tuple[str, ...]
    region: NDArray[np.int32]
    region_names: tuple[str, ...]
    registered: IntArray
    issued: IntArray
    valid: IntArray
    invalid: IntArray
    home_issued: IntArray | None = None
    leader: IntArray | None = None
    leader_name: str | None = None
    candidate_votes: NDArray[np.int64] | None = field(default=None, repr=False)
    candidate_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        size = len(self.station_ids)
        for name in ("registered", "issued", "valid", "invalid"):
            object.__setattr__(self, name, _as_counts(name, getattr(self, name), size))
        for name in ("home_issued", "leader"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _as_counts(name, getattr(self, name), size))
        region = np.asarray(self.region, dtype=np.int32)
        if region.shape != (size,):
            raise ProtocolsError(f"region: {region.size} codes for {size} stations")
        if size and (int(region.min()) < 0 or int(region.max()) >= len(self.region_names)):
            raise ProtocolsError("region: code outside region_names")
        object.__setattr__(self, "region", region)
        if self.candidate_votes is not None:
            votes = np.asarray(self.candidate_votes, dtype=np.int64)
            if votes.ndim != 2 or votes.shape[0] != size:
                raise ProtocolsError(f"candidate_votes: shape {votes.shape} for {size} stations")
            if votes.shape[1] != len(self.candidate_names):
                raise ProtocolsError("candidate_votes: columns do not match candidate_names")
            object.__setattr__(self, "candidate_votes", votes)

    @property
    def size(self) -> int:
        """Number of stations."""
        return len(self.station_ids)

    @property
    def ballots(self) -> IntArray:
        """Ballots found in the boxes (valid + invalid): the leader-share denominator."""
        return self.valid + self.invalid

    @property
    def has_leader(self) -> bool:
        """Whether candidate votes exist, so leader-share methods can run."""
        return self.leader is not None

    def require_leader(self) -> IntArray:
        """The leader's votes, or NotComputableError naming what is missing."""
        if self.leader is None:
            raise NotComputableError(f"{self.name}: no candidate votes, leader share unknown")
        return self.leader

    def turnout(self) -> FloatArray:
        """Issued / registered per station (NaN where nobody is registered)."""
        return _ratio(self.issued, self.registered)

    def leader_share(self) -> FloatArray:
        """Leader votes / (valid + invalid) per station (NaN where the box is empty)."""
        return _ratio(self.require_leader(), self.ballots)

    def home_share(self) -> FloatArray:
        """Share of issued ballots that went out in the mobile box."""
        if self.home_issued is None:
            raise NotComputableError(f"{self.name}: no home-voting counts")
        return _ratio(self.home_issued, self.issued)

    def subset(self, mask: BoolArray) -> Protocols:
        """The stations where ``mask`` holds, keeping region codes and names."""
        index = np.flatnonzero(mask)
        ids = tuple(self.station_ids[i] for i in index)
        votes = None if self.candidate_votes is None else self.candidate_votes[index]
        return Protocols(
            name=self.name,
            station_ids=ids,
            region=self.region[index],
            region_names=self.region_names,
            registered=self.registered[index],
            issued=self.issued[index],
            valid=self.valid[index],
            invalid=self.invalid[index],
            home_issued=None if self.home_issued is None else self.home_issued[index],
            leader=None if self.leader is None else self.leader[index],
            leader_name=self.leader_name,
            candidate_votes=votes,
            candidate_names=self.candidate_names,
        )


def _ratio(numerator: IntArray, denominator: IntArray) -> FloatArray:
    out = np.full(numerator.shape, np.nan, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
