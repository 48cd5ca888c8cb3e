"""How often a periodic evaluation may run so that it takes at most a share of the worker.

The region agent re-evaluates every dirty region on a tick. With 2,000 stations that takes a few
milliseconds; with 100,000 stations (every region dirty while a backlog is replayed) it takes
over a second, and ticks every half second left the worker's one event loop almost no time for
reports. After an evaluation that took `d` seconds the next one waits until `d / share` has
passed since it started, so evaluations use at most `share` of the loop; short ones run on
every tick as before.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Pacer:
    share: float  # in (0, 1]
    next_at: float = float("-inf")

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def ran(self, started: float, ended: float) -> None:
        """Records an evaluation (monotonic seconds)."""
        self.next_at = started + max(0.0, ended - started) / self.share
