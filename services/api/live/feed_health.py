"""Whether the Kafka feed is live: what /readyz reports and new subscriptions require.

An aiokafka consumer does not fail while the broker is down: its fetches just come back empty.
So the feed asks the broker for the topics' end offsets once a second (`KafkaFeed` probes);
`kafka` is true while the broker answered within `stale_after` seconds, and `feed` while the
consumer task fetches and has read everything the topics held when it started (a subscriber
before that would get a partial snapshot, then history as if it were live).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)  # a partition


class FeedHealth(Generic[P]):
    def __init__(self, stale_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._stale_after = stale_after
        self._clock = clock
        self._answered_at: float | None = None
        self._fetched_at: float | None = None
        self._start_ends: Mapping[P, int] | None = None
        self.caught_up = False

    def fetched(self) -> None:
        """The consumer task completed a fetch (with or without records)."""
        self._fetched_at = self._clock()

    def answered(self, ends: Mapping[P, int], positions: Mapping[P, int], backlog: int) -> dict[P, int]:
        """The broker answered a probe with `ends`; returns the lag per partition.

        `positions` are the consumer's next offsets, `backlog` what it fetched and has not
        published yet. The first answer fixes what "caught up since start" means.
        """
        self._answered_at = self._clock()
        if self._start_ends is None:
            self._start_ends = dict(ends)
        if not self.caught_up and backlog == 0:
            self.caught_up = all(positions.get(tp, 0) >= end for tp, end in self._start_ends.items())
        return {tp: max(0, end - positions.get(tp, 0)) for tp, end in ends.items()}

    def _recent(self, at: float | None) -> bool:
        return at is not None and self._clock() - at < self._stale_after

    def checks(self) -> dict[str, bool]:
        return {
            "kafka": self._recent(self._answered_at),
            "feed": self.caught_up and self._recent(self._fetched_at),
        }

    @property
    def live(self) -> bool:
        return all(self.checks().values())
