"""Constant-time accumulation of forensic counts as final protocols arrive.

The aggregator calls ``add`` once per protocol: it bumps the fingerprint cells
and the observed integer-hit counters (national and regional) and keeps the
protocol's numbers so the expensive binomial null can be recomputed on demand
(``to_protocols`` then ``integer_excess``). ``snapshot`` copies what a reader
needs without stopping the writer for long.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.forensics.integer_excess import MAX_RATE, MIN_REGISTERED
from services.forensics.integer_null import HALF_WIDTH
from services.forensics.protocols import Protocols


@dataclass(frozen=True)
class Snapshot:
    """Counts so far: fingerprints and observed integer stations."""

    stations: int
    fingerprint_stations: NDArray[np.float64]
    fingerprint_voters: NDArray[np.float64]
    integer_either: int
    integer_by_region: dict[int, int]
    tested: int


def _is_integer(count: int, total: int) -> bool:
    percent = 100.0 * count / total
    return abs(percent - round(percent)) <= HALF_WIDTH


class ForensicsAccumulator:
    """Running fingerprint and integer-hit counts; O(1) per protocol."""

    def __init__(self, region_names: tuple[str, ...], bins: int = 100) -> None:
        self._bins = bins
        self._region_names = region_names
        self._by_station = np.zeros((bins, bins))
        self._by_voter = np.zeros((bins, bins))
        self._integer = 0
        self._tested = 0
        self._integer_by_region: dict[int, int] = {}
        self._rows: list[tuple[int, int, int, int, int, int]] = []

    def add(self, registered: int, issued: int, valid: int, invalid: int, leader: int, region: int) -> None:
        """Record one final protocol."""
        self._rows.append((registered, issued, valid, invalid, leader, region))
        ballots = valid + invalid
        if registered <= 0 or ballots <= 0 or issued > registered or leader > ballots:
            return
        bins = self._bins
        row = min(issued * bins // registered, bins - 1)
        column = min(leader * bins // ballots, bins - 1)
        self._by_station[row, column] += 1.0
        self._by_voter[row, column] += registered
        # The AoAS filters, written as in integer_excess.aoas_mask.
        if registered < MIN_REGISTERED or issued / registered > MAX_RATE:
            return
        if leader / ballots > MAX_RATE:
            return
        self._tested += 1
        if _is_integer(issued, registered) or _is_integer(leader, ballots):
            self._integer += 1
            self._integer_by_region[region] = self._integer_by_region.get(region, 0) + 1

    def snapshot(self) -> Snapshot:
        """A copy of the counts, safe to hand to another thread."""
        return Snapshot(
            stations=len(self._rows),
            fingerprint_stations=self._by_station.copy(),
            fingerprint_voters=self._by_voter.copy(),
            integer_either=self._integer,
            integer_by_region=dict(self._integer_by_region),
            tested=self._tested,
        )

    def to_protocols(self, name: str = "accumulated") -> Protocols:
        """Everything received so far, for the on-demand Monte-Carlo null."""
        data = np.asarray(self._rows, dtype=np.int64).reshape(-1, 6)
        return Protocols(
            name=name,
            station_ids=tuple(str(i) for i in range(data.shape[0])),
            region=data[:, 5].astype(np.int32),
            region_names=self._region_names,
            registered=data[:, 0],
            issued=data[:, 1],
            valid=data[:, 2],
            invalid=data[:, 3],
            leader=data[:, 4],
        )
