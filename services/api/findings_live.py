"""Findings as they change, from the hub's station stats (the findings subscription's state).

One per subscription: it keeps each region's station counts and recounts only the regions whose
stations changed, from the stations channel's latest values, so the live figures count exactly
as the `findings` query does (`findings.station_counts` mirrors its SQL). Registry totals come
from the regions' roll-ups (the nation's for an unscoped key); a region with no roll-up yet
counts the stations the hub knows.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection, Iterable

from services.api.findings import FindingsFigures, combine, figures, station_counts
from services.api.live.hub import ConflatedSubscription, Delivery, Hub, StatsChannel
from services.api.repository.findings import RegionCounts
from services.common.checklist_config import ChecklistConfig
from services.common.contracts import events as ev


class LiveFindings:
    """Per-region counts of one subscriber: `region` (one region), else every region of `scope`
    (None: the nation), with the national (or scope's) figures after the regions."""

    def __init__(
        self,
        hub: Hub,
        questions: ChecklistConfig,
        scope: Collection[str] | None,
        region: str | None = None,
    ) -> None:
        self._hub = hub
        self._questions = questions
        self._scope = None if scope is None else frozenset(scope)
        self._region = region
        self._counts: dict[str, RegionCounts] = {}

    def _wanted(self, region: str) -> bool:
        if self._region is not None:
            return region == self._region
        return self._scope is None or region in self._scope

    def known_regions(self) -> set[str]:
        """The regions with a roll-up or a station in the hub that this subscriber follows."""
        found = {r.region_id for r in self._hub.regions.values()}
        found |= {s.region_id for s in self._hub.stations.values()}
        if self._region is not None:
            found.add(self._region)
        return {r for r in found if self._wanted(r)}

    def _recount(self, region: str) -> RegionCounts:
        stations = self._hub.stations.values(region)
        rollup = self._hub.regions.latest(region)
        total = rollup.stations_total if rollup is not None else len(stations)
        counts = station_counts(stations, total)
        self._counts[region] = counts
        return counts

    def changed(self, regions: Iterable[str]) -> list[FindingsFigures]:
        """The figures of each changed region it follows (sorted), then the national figures
        (not for a one-region subscriber); empty when none of them is followed."""
        out = [figures(r, self._recount(r), self._questions) for r in sorted(set(regions)) if self._wanted(r)]
        if not out or self._region is not None:
            return out
        national = combine(self._counts.values())
        if self._scope is None and (rollup := self._hub.national.latest(ev.NATIONAL)) is not None:
            national.stations = rollup.stations_total
        out.append(figures(ev.NATIONAL, national, self._questions))
        return out


class FindingsSubscription:
    """A findings subscriber's hub subscription, for `live.stream`: it follows the stations
    channel (`stations`, taken with the subscriber's group and scope) and delivers figures,
    every followed region's first, then each changed region's and the national ones, a region
    recounted at most once every `pace` seconds however often its stations change."""

    def __init__(
        self, stations: ConflatedSubscription[ev.StationStats], live: LiveFindings, pace: float
    ) -> None:
        self.stations = stations
        self._live = live
        self._pace = pace
        self._changed = live.known_regions()
        self._ready: deque[FindingsFigures] = deque()
        self._revision = 0
        self._seq = 0
        self._next_at = 0.0

    async def get(self) -> Delivery[FindingsFigures]:
        loop = asyncio.get_running_loop()
        while not self._ready:
            if not self._changed:
                d = await self.stations.get()
                self._note(d)
            if (wait := self._next_at - loop.time()) > 0:
                await asyncio.sleep(wait)
            while self.stations.depth:  # the changes meanwhile, each region once
                self._note(await self.stations.get())
            self._ready.extend(self._live.changed(self._changed))
            self._changed = set()
            self._next_at = loop.time() + self._pace
        self._seq += 1
        return Delivery(self._seq, self._revision, self._ready.popleft())

    def _note(self, d: Delivery[ev.StationStats]) -> None:
        self._changed.add(d.value.region_id)
        self._revision = max(self._revision, d.revision)


class FindingsChannel:
    """Where a `FindingsSubscription` leaves: its stations subscription leaves the channel."""

    def __init__(self, stations: StatsChannel[ev.StationStats]) -> None:
        self._stations = stations

    def unsubscribe(self, sub: FindingsSubscription) -> None:
        self._stations.unsubscribe(sub.stations)
