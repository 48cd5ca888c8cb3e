"""The in-process fan-out hub between the one Kafka consumer and every live subscriber.

Stats channels conflate: a subscriber holds at most one pending value per key, so a slow
dashboard gets the latest state and never a growing backlog. The alert channel does not
conflate (every transition matters): each subscriber has a bounded queue and one that
overflows is closed with `HubOverflowError`, never silently dropped. A new subscriber first
receives the current state, then changes; every delivery carries `seq`, contiguous per
subscriber from 1, and the channel-wide `revision` of the value.

An alert subscriber "keeps up" while its queue empties at least every few seconds;
`AlertChannel.blocking` names one that keeps up but whose queue is full, so the publisher (the
feed's `AlertPump`) can wait for it instead of overflowing it.

No sockets, no Kafka: `publish` is synchronous and never waits on a subscriber. A conflated
subscription may carry a `sink` that delivers synchronously while its reader is idle (the API
writes the frame to a socket that can take it now); whatever a sink declines is queued as usual.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from services.common.contracts import events as ev
from services.common.infra.errors import PollwatchError

V = TypeVar("V")


class HubOverflowError(PollwatchError):
    """The subscriber fell `maxsize` alerts behind: it must re-query alerts(since:) and resubscribe."""


class HubClosedError(PollwatchError):
    """The hub shut down; the subscription ends."""


class HubObserver(Protocol):
    def fanned_out(self, channel: str, count: int) -> None: ...
    def overflowed(self, channel: str) -> None: ...


class _NoObserver:
    def fanned_out(self, channel: str, count: int) -> None:
        pass

    def overflowed(self, channel: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Delivery(Generic[V]):
    seq: int  # per subscriber, 1, 2, 3, ...: a gap means the client missed something
    revision: int  # channel-wide, increasing: a jump on a conflated stream is conflation
    value: V


class _Waiter:
    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._seq = 0
        self.closed = False

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def close(self) -> None:
        self.closed = True
        self._event.set()


class ConflatedSubscription(_Waiter, Generic[V]):
    """Pending values by key: a newer value for a key replaces the one not yet sent.

    `sink`, when set, is offered each value first while the reader is idle (parked in `get`
    with nothing pending): it delivers synchronously (True: delivered, numbered with the next
    seq) or declines (False: the value is queued and the reader woken as without a sink).
    So a subscriber whose socket takes the frame now costs no task wake-up, and one whose
    socket is backed up falls back to the conflating queue without delaying the others.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[str, tuple[int, V]] = {}
        self._idle = False
        self.sink: Callable[[Delivery[V]], bool] | None = None
        # Where the channel indexed this subscriber, so unsubscribing is O(its keys).
        self.keys: tuple[str, ...] = ()
        self.groups: tuple[str, ...] = ()
        # The only groups (regions) whose values reach a by-key subscriber; None: any.
        self.within: frozenset[str] | None = None

    def offer(self, key: str, revision: int, value: V) -> None:
        if self._idle and self.sink is not None and not self._pending and not self.closed:
            seq = self._seq + 1
            if self.sink(Delivery(seq, revision, value)):
                self._seq = seq
                return
        self._pending[key] = (revision, value)
        self._event.set()

    @property
    def depth(self) -> int:
        return len(self._pending)

    async def get(self) -> Delivery[V]:
        while not self._pending:
            if self.closed:
                raise HubClosedError("hub closed")
            self._event.clear()
            self._idle = True
            try:
                await self._event.wait()
            finally:
                self._idle = False
        key = next(iter(self._pending))
        revision, value = self._pending.pop(key)
        return Delivery(self._next_seq(), revision, value)


class StatsChannel(Generic[V]):
    """Latest value per key, with subscribers by key, by group (region) or to everything."""

    def __init__(
        self,
        name: str,
        key_of: Callable[[V], str],
        group_of: Callable[[V], str],
        observer: HubObserver,
    ) -> None:
        self.name = name
        self._key_of = key_of
        self._group_of = group_of
        self._observer = observer
        self._revision = 0
        self._latest: dict[str, tuple[int, V]] = {}
        self._group_keys: dict[str, set[str]] = {}
        self._by_key: dict[str, set[ConflatedSubscription[V]]] = {}
        self._by_group: dict[str, set[ConflatedSubscription[V]]] = {}
        self._everyone: set[ConflatedSubscription[V]] = set()

    def latest(self, key: str) -> V | None:
        found = self._latest.get(key)
        return None if found is None else found[1]

    def values(self, group: str | None = None) -> list[V]:
        """The latest values, of one group (region) or of every key."""
        keys = self._latest if group is None else self._group_keys.get(group, ())
        return [found[1] for k in keys if (found := self._latest.get(k)) is not None]

    def publish(self, value: V) -> int:
        """Stores `value` as its key's latest and offers it; returns the subscribers reached."""
        key, group = self._key_of(value), self._group_of(value)
        previous = self._latest.get(key)
        if previous is not None and (old_group := self._group_of(previous[1])) != group:
            self._group_keys.get(old_group, set()).discard(key)
        self._revision += 1
        self._latest[key] = (self._revision, value)
        self._group_keys.setdefault(group, set()).add(key)
        reached = 0
        for sub in self._by_key.get(key, ()):
            if sub.within is None or group in sub.within:
                sub.offer(key, self._revision, value)
                reached += 1
        for subscribers in (self._by_group.get(group, ()), self._everyone):
            for sub in subscribers:
                sub.offer(key, self._revision, value)
                reached += 1
        self._observer.fanned_out(self.name, reached)
        return reached

    def subscribe(
        self,
        keys: Collection[str] | None = None,
        group: str | None = None,
        within: Collection[str] | None = None,
    ) -> ConflatedSubscription[V]:
        """Keys, else a group, else everything; the current state comes first.

        `within` (a key's regions) limits the values that reach the subscriber to those groups:
        keys outside them are never delivered, and "everything" becomes those groups.
        """
        sub: ConflatedSubscription[V] = ConflatedSubscription()
        groups = None if within is None else frozenset(within)
        if keys is not None:
            sub.keys = tuple(dict.fromkeys(keys))
            sub.within = groups
            for key in sub.keys:
                self._by_key.setdefault(key, set()).add(sub)
            snapshot: Iterable[str] = sub.keys
        elif group is not None or groups is not None:
            sub.groups = (group,) if group is not None else tuple(sorted(groups or ()))
            for name in sub.groups:
                self._by_group.setdefault(name, set()).add(sub)
            snapshot = sorted(k for name in sub.groups for k in self._group_keys.get(name, ()))
        else:
            self._everyone.add(sub)
            snapshot = sorted(self._latest)
        for key in snapshot:
            found = self._latest.get(key)
            if found is not None and (groups is None or self._group_of(found[1]) in groups):
                sub.offer(key, *found)
        return sub

    def unsubscribe(self, sub: ConflatedSubscription[V]) -> None:
        self._everyone.discard(sub)
        names = [(self._by_key, k) for k in sub.keys] + [(self._by_group, g) for g in sub.groups]
        for index, name in names:
            subs = index.get(name)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del index[name]

    def subscribers(self) -> set[ConflatedSubscription[V]]:
        subs = set(self._everyone)
        for index in (self._by_key, self._by_group):
            for group in index.values():
                subs |= group
        return subs

    def depth(self) -> int:
        return sum(s.depth for s in self.subscribers())


class AlertSubscription(_Waiter):
    """A bounded FIFO of alert transitions at or above a severity, optionally for one region,
    and only ever of `within` (a key's regions) when given."""

    def __init__(
        self,
        min_severity: ev.Severity,
        region: str | None,
        maxsize: int,
        clock: Callable[[], float],
        within: frozenset[str] | None = None,
    ) -> None:
        super().__init__()
        self.min_severity = min_severity
        self.region = region
        self.within = within
        self.maxsize = maxsize
        self.overflowed = False
        self._queue: deque[tuple[int, ev.Alert]] = deque()
        self._clock = clock
        # Since when its queue has held something: a subscriber that keeps up empties it often.
        self.backlog_since = clock()
        # Set while the queue has room for another alert.
        self.room = asyncio.Event()
        self.room.set()

    def wants(self, alert: ev.Alert) -> bool:
        return (
            alert.severity.rank >= self.min_severity.rank
            and (self.region is None or alert.region_id == self.region)
            and (self.within is None or alert.region_id in self.within)
        )

    def offer(self, revision: int, alert: ev.Alert, *, bounded: bool = True) -> bool:
        """Queues the alert; False (and overflowed from then on) when the queue was full."""
        if self.overflowed:
            return False
        if bounded and len(self._queue) >= self.maxsize:
            self.overflowed = True
            self._queue.clear()
            self._event.set()
            self.room.set()  # nobody waits for a subscriber that is gone
            return False
        if not self._queue:
            self.backlog_since = self._clock()
        self._queue.append((revision, alert))
        if len(self._queue) >= self.maxsize:
            self.room.clear()
        self._event.set()
        return True

    def keeps_up(self, now: float, grace: float) -> bool:
        """Whether its queue was empty within the last `grace` seconds."""
        return not self._queue or now - self.backlog_since < grace

    def seconds_left(self, grace: float) -> float:
        """How long it still keeps up if its queue does not empty meanwhile."""
        return grace - (self._clock() - self.backlog_since)

    @property
    def depth(self) -> int:
        return len(self._queue)

    async def get(self) -> Delivery[ev.Alert]:
        while not self._queue:
            if self.overflowed:
                raise HubOverflowError(
                    f"more than {self.maxsize} alerts pending: re-query alerts(since:) and resubscribe"
                )
            if self.closed:
                raise HubClosedError("hub closed")
            self._event.clear()
            await self._event.wait()
        if self.overflowed:
            raise HubOverflowError(
                f"more than {self.maxsize} alerts pending: re-query alerts(since:) and resubscribe"
            )
        revision, alert = self._queue.popleft()
        if len(self._queue) < self.maxsize:
            self.room.set()
        return Delivery(self._next_seq(), revision, alert)


class AlertChannel:
    """Every alert transition, fanned out; the open alerts are the current state."""

    name = "alerts"

    def __init__(self, observer: HubObserver, clock: Callable[[], float] = time.monotonic) -> None:
        self._observer = observer
        self._clock = clock
        self._revision = 0
        self._open: dict[str, tuple[int, ev.Alert]] = {}
        self._subscribers: set[AlertSubscription] = set()
        self._full: set[AlertSubscription] = set()  # queues at their bound (maybe since emptied)

    def open_alerts(self) -> list[ev.Alert]:
        return [a for _, a in self._open.values()]

    def publish(self, alert: ev.Alert) -> int:
        self._revision += 1
        if alert.state is ev.AlertState.OPEN:
            self._open[alert.id] = (self._revision, alert)
        else:
            self._open.pop(alert.id, None)
        reached = 0
        for sub in list(self._subscribers):
            if sub.wants(alert):
                if sub.offer(self._revision, alert):
                    reached += 1
                    if sub.depth >= sub.maxsize:
                        self._full.add(sub)
                elif sub.overflowed and sub.depth == 0:
                    self._observer.overflowed(self.name)
                    self._subscribers.discard(sub)
        self._observer.fanned_out(self.name, reached)
        return reached

    def subscribe(
        self,
        min_severity: ev.Severity,
        region: str | None,
        maxsize: int,
        within: Collection[str] | None = None,
    ) -> AlertSubscription:
        sub = AlertSubscription(
            min_severity, region, maxsize, self._clock, None if within is None else frozenset(within)
        )
        for revision, alert in sorted(self._open.values(), key=lambda ra: ra[0]):
            if sub.wants(alert):
                sub.offer(revision, alert, bounded=False)
        self._subscribers.add(sub)
        if sub.depth >= maxsize:
            self._full.add(sub)
        return sub

    def unsubscribe(self, sub: AlertSubscription) -> None:
        self._subscribers.discard(sub)
        self._full.discard(sub)

    def blocking(self, grace: float) -> AlertSubscription | None:
        """A subscriber that keeps up (see `keeps_up`) but has no room for another alert: the
        next publish could overflow it. One whose queue stayed non-empty for `grace` seconds
        is not waited for: it is behind, and overflows."""
        now = self._clock()
        for sub in list(self._full):
            if sub.overflowed or sub.depth < sub.maxsize or sub not in self._subscribers:
                self._full.discard(sub)
            elif sub.keeps_up(now, grace):
                return sub
        return None

    def subscribers(self) -> set[AlertSubscription]:
        return set(self._subscribers)

    def depth(self) -> int:
        return sum(s.depth for s in self._subscribers)


class Hub:
    """The channels the Kafka feed publishes to and the subscriptions read from."""

    def __init__(
        self, observer: HubObserver | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        obs = observer or _NoObserver()
        self.stations: StatsChannel[ev.StationStats] = StatsChannel(
            "stations", lambda s: s.station_id, lambda s: s.region_id, obs
        )
        self.regions: StatsChannel[ev.RegionStats] = StatsChannel(
            "regions", lambda r: r.region_id, lambda r: r.region_id, obs
        )
        self.national: StatsChannel[ev.RegionStats] = StatsChannel(
            "overview", lambda r: r.region_id, lambda r: r.region_id, obs
        )
        self.alerts = AlertChannel(obs, clock)

    def publish_region(self, stats: ev.RegionStats) -> int:
        channel = self.national if stats.region_id == ev.NATIONAL else self.regions
        return channel.publish(stats)

    def close(self) -> None:
        """Ends every subscription (shutdown)."""
        for channel in (self.stations, self.regions, self.national):
            for sub in channel.subscribers():
                sub.close()
        for alert_sub in self.alerts.subscribers():
            alert_sub.close()

    def depths(self) -> dict[str, int]:
        return {c.name: c.depth() for c in (self.stations, self.regions, self.national, self.alerts)}
