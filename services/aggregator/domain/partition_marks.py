"""How far each reports partition has been read, in event time, so that silence is not judged
past a partition that still has reports waiting.

The region watermark is the newest report seen anywhere. When one partition lags behind the
others (catch-up after an outage or a restart, a worker slower than its peers), its stations'
newer reports are still unread, so against that watermark they look silent. A station agent
says, after each batch, for each partition the batch read: the newest `observed_at` read from
it and whether reports are still waiting behind the batch. Silence time is then held at the
newest report of the most lagging partition that is behind. A partition that has caught up
holds nothing back (its silent stations are silent), and a "behind" that is not refreshed
within `ttl_s` of wall time (its worker stopped, or the partition moved to a worker that has
nothing to read) expires, so it cannot hold silence back for ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PartitionMark:
    partition: int
    newest: datetime  # the newest observed_at read from the partition so far
    behind: bool  # reports were still waiting in the partition after the batch


@dataclass(slots=True)
class PartitionMarks:
    ttl_s: float
    # partition -> (newest observed_at, behind, wall time of the batch that said so)
    _held: dict[int, tuple[datetime, bool, float]] = field(default_factory=dict)

    def update(self, marks: list[PartitionMark], wall: float) -> None:
        for m in marks:
            held = self._held.get(m.partition)
            newest = m.newest if held is None else max(held[0], m.newest)
            self._held[m.partition] = (newest, m.behind, wall)

    def held_back_to(self, wall: float) -> datetime | None:
        """The newest report of the most lagging partition still behind at `wall`, if any."""
        lagging = [newest for newest, behind, at in self._held.values() if behind and wall - at <= self.ttl_s]
        return min(lagging) if lagging else None
