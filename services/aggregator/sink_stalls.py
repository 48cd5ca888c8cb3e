"""Which PostgreSQL writes are failing right now, and since when (for readiness and a gauge)."""

from __future__ import annotations

import itertools


class Stalls:
    """Writes failing right now, each since its first failure (monotonic seconds); a write
    that lands or gives up ends its entry."""

    def __init__(self) -> None:
        self._since: dict[int, float] = {}
        self._ids = itertools.count()

    def begin(self) -> int:
        """A new write's handle."""
        return next(self._ids)

    def failed(self, write: int, now: float) -> None:
        self._since.setdefault(write, now)

    def ended(self, write: int) -> None:
        self._since.pop(write, None)

    def longest_s(self, now: float) -> float:
        """How long the oldest write still failing has been failing (0: none is)."""
        return max((now - since for since in self._since.values()), default=0.0)
