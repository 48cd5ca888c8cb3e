"""Live forensics: final protocols in as they arrive (replace semantics), figures out.

``upsert`` is O(1): it writes the station's row into growable numpy columns, moves
the national vote totals and marks the station and its region stale. A corrected
protocol replaces the station's previous one; a resend of the same protocol changes
nothing, so nothing is ever counted twice.

``evaluate`` is vectorised over every station held (a few ms at 100,000) and is
meant to run every few seconds when something changed. It computes the exact null
probability q only for stations that changed since the last call (all of them when
the leader changes), then sums per region with ``bincount``.

The leader is the candidate with the most votes nationally among the protocols
received so far (ties: the first name in sort order), as in the batch analysis; a
change of leader recomputes every station's share on the next ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from services.forensics.fingerprint import bin_index
from services.forensics.integer_excess import aoas_keep
from services.forensics.integer_null import hit_probability, integer_hits
from services.forensics.live_figures import IntegerTest, LiveSnapshot, RegionZ, ScopeFigures
from services.forensics.protocols import FloatArray, IntArray, Protocols

NATIONAL = ""
DEFAULT_LIVE_BINS = 50
"""2-point cells: a heatmap a dashboard can draw; the integer test does not use them."""
_COLUMNS = ("registered", "issued", "valid", "invalid", "leader")


@dataclass(frozen=True, slots=True)
class StationProtocol:
    """The numbers of one station's final protocol that the forensics use."""

    region: str
    registered: int
    issued: int
    valid: int
    invalid: int
    votes: Mapping[str, int]


class LiveForensics:
    """Per-station rows with replace semantics; national and per-region figures on demand."""

    def __init__(self, bins: int = DEFAULT_LIVE_BINS, capacity: int = 1024) -> None:
        self.bins = bins
        self._index: dict[str, int] = {}
        self._held: list[StationProtocol | None] = []
        self._cols = {name: np.zeros(capacity, dtype=np.int64) for name in _COLUMNS}
        self._region = np.zeros(capacity, dtype=np.int64)
        self._active = np.zeros(capacity, dtype=np.bool_)
        self._q_turnout = np.zeros(capacity, dtype=np.float64)
        self._q_share = np.zeros(capacity, dtype=np.float64)
        self._stale_turnout: set[int] = set()
        self._stale_share: set[int] = set()
        self._region_codes: dict[str, int] = {}
        self._region_names: list[str] = []
        self._totals: dict[str, int] = {}
        self._leader: str | None = None
        self._dirty: set[int] = set()

    @property
    def stations(self) -> int:
        """Stations whose protocol is held."""
        return sum(1 for p in self._held if p is not None)

    @property
    def leader(self) -> str | None:
        """The leader the last ``evaluate`` used (None before any votes)."""
        return self._leader

    @property
    def pending(self) -> bool:
        """Whether ``evaluate`` has anything new to say (a protocol or the leader changed)."""
        return bool(self._dirty) or self.national_leader() != self._leader

    def protocol(self, station_id: str) -> StationProtocol | None:
        """The protocol held for a station."""
        row = self._index.get(station_id)
        return None if row is None else self._held[row]

    def upsert(self, station_id: str, protocol: StationProtocol) -> bool:
        """Takes a station's latest final protocol; returns whether anything changed."""
        row = self._index.get(station_id)
        if row is None:
            row = self._new_row(station_id)
        else:
            held = self._held[row]
            if held == protocol:
                return False
            if held is not None:
                self._forget(row, held)
        code = self._region_codes.get(protocol.region)
        if code is None:
            code = self._region_codes[protocol.region] = len(self._region_names)
            self._region_names.append(protocol.region)
        cols = self._cols
        cols["registered"][row] = protocol.registered
        cols["issued"][row] = protocol.issued
        cols["valid"][row] = protocol.valid
        cols["invalid"][row] = protocol.invalid
        cols["leader"][row] = protocol.votes.get(self._leader, 0) if self._leader else 0
        self._region[row] = code
        self._active[row] = True
        totals = self._totals
        for party, votes in protocol.votes.items():
            totals[party] = totals.get(party, 0) + votes
        self._held[row] = protocol
        self._stale_turnout.add(row)
        self._stale_share.add(row)
        self._dirty.add(code)
        return True

    def remove(self, station_id: str) -> bool:
        """Drops a station's protocol (e.g. withdrawn); returns whether one was held."""
        row = self._index.get(station_id)
        held = None if row is None else self._held[row]
        if row is None or held is None:
            return False
        self._forget(row, held)
        self._held[row] = None
        self._active[row] = False
        return True

    def _forget(self, row: int, held: StationProtocol) -> None:
        totals = self._totals
        for party, votes in held.votes.items():
            totals[party] -= votes
        self._dirty.add(int(self._region[row]))

    def _new_row(self, station_id: str) -> int:
        row = len(self._held)
        if row == self._region.size:
            self._grow()
        self._index[station_id] = row
        self._held.append(None)
        return row

    def _grow(self) -> None:
        size = 2 * self._region.size
        self._cols = {name: _grown(a, size) for name, a in self._cols.items()}
        self._region = _grown(self._region, size)
        self._active = _grown(self._active, size)
        self._q_turnout = _grown(self._q_turnout, size)
        self._q_share = _grown(self._q_share, size)

    def national_leader(self) -> str | None:
        """The candidate with the most votes so far (ties: first in sort order)."""
        if not self._totals:
            return None
        best = max(self._totals.values())
        if best <= 0:
            return None
        return min(p for p, v in self._totals.items() if v == best)

    def evaluate(self, everything: bool = False) -> LiveSnapshot:
        """Figures of the regions changed since the last call (all if ``everything``) and
        of the nation whenever any region is included.

        No scope at all before the first protocol: an empty nation is not a figure, and
        the aggregator's first evaluation would otherwise publish a 0-station row."""
        leader = self.national_leader()
        if leader != self._leader:
            self._set_leader(leader)
        n = len(self._held)
        self._refresh_q(n)
        regions = len(self._region_names)
        chosen = sorted(range(regions) if everything else self._dirty)
        self._dirty.clear()
        if not chosen:  # no region ever seen, so no protocol ever held
            return LiveSnapshot(leader, self.bins, ())
        sums = _Sums.compute(self, n, regions)
        scopes = [sums.scope(self._region_names[c], c) for c in chosen]
        scopes.append(sums.scope(NATIONAL, None, self._region_names))
        return LiveSnapshot(leader, self.bins, tuple(scopes))

    def _set_leader(self, leader: str | None) -> None:
        column = self._cols["leader"]
        for row, held in enumerate(self._held):
            column[row] = held.votes.get(leader, 0) if held is not None and leader else 0
        self._leader = leader
        self._stale_share = set(range(len(self._held)))
        self._dirty = set(range(len(self._region_names)))

    def _refresh_q(self, n: int) -> None:
        c = self._cols
        if self._stale_turnout:
            rows = np.fromiter(self._stale_turnout, dtype=np.int64)
            self._stale_turnout = set()
            self._q_turnout[rows] = _q(c["issued"][rows], c["registered"][rows])
        if self._stale_share:
            rows = np.fromiter(self._stale_share, dtype=np.int64)
            self._stale_share = set()
            ballots = c["valid"][rows] + c["invalid"][rows]
            self._q_share[rows] = _q(c["leader"][rows], ballots)

    def columns(self) -> dict[str, IntArray]:
        """Views of the active rows' columns (registered, issued, valid, invalid, leader, region)."""
        n = len(self._held)
        active = self._active[:n]
        out = {name: a[:n][active] for name, a in self._cols.items()}
        out["region"] = self._region[:n][active]
        return out

    def to_protocols(self, name: str = "live") -> Protocols:
        """Every protocol held, for the batch analysis (e.g. the Monte-Carlo null)."""
        rows = [(sid, p) for sid, row in self._index.items() if (p := self._held[row]) is not None]
        leader = self.national_leader()
        codes = self._region_codes
        return Protocols(
            name=name,
            station_ids=tuple(sid for sid, _ in rows),
            region=np.array([codes[p.region] for _, p in rows], dtype=np.int32),
            region_names=tuple(self._region_names),
            registered=np.array([p.registered for _, p in rows], dtype=np.int64),
            issued=np.array([p.issued for _, p in rows], dtype=np.int64),
            valid=np.array([p.valid for _, p in rows], dtype=np.int64),
            invalid=np.array([p.invalid for _, p in rows], dtype=np.int64),
            leader=np.array([p.votes.get(leader, 0) if leader else 0 for _, p in rows], dtype=np.int64),
            leader_name=leader,
        )


_A = TypeVar("_A", bound=np.generic)


def _grown(array: NDArray[_A], size: int) -> NDArray[_A]:
    out = np.zeros(size, dtype=array.dtype)
    out[: array.size] = array
    return out


def _q(counts: IntArray, totals: IntArray) -> FloatArray:
    """Exact integer-hit probability at the observed rate (0 where the rate is undefined)."""
    out = np.zeros(counts.size, dtype=np.float64)
    ok = np.flatnonzero(totals > 0)
    rate = np.clip(counts[ok] / totals[ok], 0.0, 1.0)
    out[ok] = hit_probability(totals[ok], rate)
    return out


@dataclass(frozen=True)
class _Sums:
    """Per-region sums over the active rows; the nation is their total."""

    per_region: dict[str, NDArray[np.float64]]
    fingerprints: NDArray[np.int64]

    @classmethod
    def compute(cls, live: LiveForensics, n: int, regions: int) -> _Sums:
        c = {name: a[:n] for name, a in live._cols.items()}
        active = live._active[:n]
        code = live._region[:n]
        ballots = c["valid"] + c["invalid"]
        leader = c["leader"]
        tested = np.flatnonzero(active & aoas_keep(c["registered"], c["issued"], ballots, leader))
        t_hit = integer_hits(c["issued"][tested], c["registered"][tested])
        s_hit = integer_hits(leader[tested], ballots[tested])
        qt, qs = live._q_turnout[:n][tested], live._q_share[:n][tested]
        qe = 1.0 - (1.0 - qt) * (1.0 - qs)
        held = np.flatnonzero(active)

        def by_region(rows: NDArray[np.int64], values: object | None = None) -> NDArray[np.float64]:
            weights = None if values is None else np.asarray(values, dtype=np.float64)
            counts = np.bincount(code[rows], weights=weights, minlength=regions)
            out: NDArray[np.float64] = counts.astype(np.float64)
            return out

        sums: dict[str, NDArray[np.float64]] = {
            "stations": by_region(held),
            "tested": by_region(tested),
            "registered": by_region(held, c["registered"][held]),
            "issued": by_region(held, c["issued"][held]),
            "ballots": by_region(held, ballots[held]),
            "leader": by_region(held, leader[held]),
        }
        for label, hit, q in (("either", t_hit | s_hit, qe), ("turnout", t_hit, qt), ("share", s_hit, qs)):
            sums[f"{label}.observed"] = by_region(tested, hit)
            sums[f"{label}.mean"] = by_region(tested, q)
            sums[f"{label}.var"] = by_region(tested, q * (1.0 - q))
            sums[f"{label}.third"] = by_region(tested, q * (1.0 - q) * (1.0 - 2.0 * q))
        usable = np.flatnonzero(
            active
            & (c["registered"] > 0)
            & (ballots > 0)
            & (c["issued"] <= c["registered"])
            & (leader <= ballots)
        )
        bins = live.bins
        turnout = c["issued"][usable] / c["registered"][usable]
        share = leader[usable] / ballots[usable]
        cell = (code[usable] * bins + bin_index(turnout, bins)) * bins + bin_index(share, bins)
        fingerprints = np.bincount(cell, minlength=regions * bins * bins).reshape(regions, bins, bins)
        return cls(sums, fingerprints.astype(np.int64))

    def scope(self, region: str, code: int | None, names: Sequence[str] = ()) -> ScopeFigures:
        """One region's figures (``code``), or the nation's with every region's test in
        brief (``names`` index the region codes)."""

        def total(key: str, of: int | None = code) -> float:
            values = self.per_region[key]
            return float(values.sum() if of is None else values[of])

        def test(label: str, of: int | None = code) -> IntegerTest:
            return IntegerTest(
                observed=round(total(f"{label}.observed", of)),
                expected=total(f"{label}.mean", of),
                variance=total(f"{label}.var", of),
                third_cumulant=total(f"{label}.third", of),
            )

        held = np.flatnonzero(self.per_region["stations"]).tolist() if code is None else []
        regions = tuple(RegionZ(names[c], round(total("tested", c)), test("either", c).z) for c in held)

        registered, ballots = total("registered"), total("ballots")
        matrix = self.fingerprints.sum(axis=0) if code is None else self.fingerprints[code]
        return ScopeFigures(
            region=region,
            stations=round(total("stations")),
            tested=round(total("tested")),
            turnout_pct=100.0 * total("issued") / registered if registered else 0.0,
            leader_share_pct=100.0 * total("leader") / ballots if ballots else 0.0,
            either=test("either"),
            turnout=test("turnout"),
            share=test("share"),
            fingerprint=matrix,
            regions=regions,
        )
