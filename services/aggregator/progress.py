"""Whether the worker makes progress: reports waiting while the offsets it handles stand still
(a crashed agent, a stuck write, records its consumer skipped) answer /readyz 503 ("progress")."""

from __future__ import annotations

from collections.abc import Mapping


class Progress:
    """Fed every few seconds with the last report offset handled per assigned partition and
    whether reports wait behind them; says how long they have waited with nothing handled."""

    def __init__(self) -> None:
        self._handled: dict[int, int] = {}
        self._since: float | None = None

    def observe(self, handled: Mapping[int, int], waiting: bool, now: float) -> None:
        moved = dict(handled) != self._handled
        self._handled = dict(handled)
        if not waiting:
            self._since = None
        elif moved or self._since is None:
            self._since = now

    def stuck_s(self, now: float) -> float:
        """Seconds since the handled offsets last moved while reports waited (0: not waiting)."""
        return 0.0 if self._since is None else now - self._since
