"""Keeps long-lived objects (connections, subscriptions, hub state) out of the collector's walks.

With thousands of WebSocket subscribers (API) or station states (aggregator) a process holds
millions of long-lived objects. CPython's generational collector walks every object of a
generation it collects: once those
objects reached generation 1 or 2, one collection stopped the event loop for about a second
(measured in the fan-out bench: one generation-1 pass of 1.0 s), which is the whole p99
budget. Every `interval` seconds `FreezePolicy.tick` collects the young generation (so young
cycles are still freed) and freezes the survivors (`gc.freeze`, O(1)): collections then walk
only what was allocated since. Cyclic garbage among frozen objects is not collected, so when
the frozen population has grown `growth` times since the last full pass, and not more often
than every `min_full_seconds`, one full pass (unfreeze, collect, freeze) reclaims it: memory
stays bounded, and that pause happens only as often as long-lived garbage accumulates.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def settle(young_threshold: int, middle: int | None = None, old: int | None = None) -> None:
    """Once per process, after the app is built: what is alive then lives as long as the
    process, so it is frozen out of the collector's walks; the youngest generation is collected
    every `young_threshold` allocations instead of 700, so a request's or an update's objects
    mostly die before a collection looks at them (`middle`, `old`: the other two thresholds,
    unchanged when None)."""
    gc.collect()
    gc.freeze()
    _, now_middle, now_old = gc.get_threshold()
    gc.set_threshold(
        young_threshold, now_middle if middle is None else middle, now_old if old is None else old
    )


@dataclass
class Collector:
    """The gc functions the policy calls (replaceable in tests)."""

    collect: Callable[[int], int] = gc.collect
    freeze: Callable[[], None] = gc.freeze
    unfreeze: Callable[[], None] = gc.unfreeze
    frozen: Callable[[], int] = gc.get_freeze_count


@dataclass
class FreezePolicy:
    growth: float = 2.0
    min_full_seconds: float = 600.0
    collector: Collector = field(default_factory=Collector)
    monotonic: Callable[[], float] = time.monotonic
    full_passes: int = 0
    _baseline: int = 0
    _last_full: float | None = None

    def tick(self) -> None:
        """Freezes the survivors; a full pass when frozen garbage may have piled up."""
        c = self.collector
        now = self.monotonic()
        if self._last_full is None:
            self._last_full = now
            self._baseline = max(c.frozen(), 1)
        c.collect(0)
        c.freeze()
        # Time first: counting the frozen objects walks all of them (~40 ms for 3 million).
        if now - self._last_full >= self.min_full_seconds and c.frozen() >= self._baseline * self.growth:
            c.unfreeze()
            c.collect(2)
            c.freeze()
            self.full_passes += 1
            self._last_full = now
            self._baseline = max(c.frozen(), 1)


async def run_freezer(policy: FreezePolicy, interval: float) -> None:
    """`policy.tick()` every `interval` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval)
        policy.tick()
