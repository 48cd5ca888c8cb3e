"""The regional view: the latest figures of every station, roll-ups, silence and outliers.

Time is the event-time watermark: the newest report seen anywhere minus the grace period,
held back to a lagging partition's newest report while that partition still has reports
waiting, and optionally moved on by the caller (a wall clock while no reports arrive).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.aggregator.domain.alerts import AlertBook, Condition
from services.aggregator.domain.region_rollup import Sums, finish, sums
from services.aggregator.domain.region_rules import (
    HOME_VOTING,
    SILENT_STATION,
    TURNOUT_OUTLIER,
    home_voting_outliers,
    outliers,
    polls_opened_at,
    silence_since,
)
from services.aggregator.domain.rules import RulesConfig
from services.aggregator.domain.station_state import StationInfo
from services.common.events import NATIONAL, Alert, RegionStats, StationStats


@dataclass(frozen=True, slots=True)
class RegionTick:
    alerts: list[Alert]
    regions: list[RegionStats]
    stations: list[StationStats]  # station figures whose silence or region alerts changed


@dataclass(slots=True)
class RegionBook:
    """Every station's latest figures and region-level alert books.

    Each region's roll-up sums are cached and recomputed only when the region is evaluated
    (or, for the national figures, when it changed since): the national roll-up adds the
    regions' integer sums up, so a tick costs the dirty regions, not every station."""

    cfg: RulesConfig
    registry: dict[str, StationInfo] = field(default_factory=dict)
    members: dict[str, StationStats] = field(default_factory=dict)
    alerts: dict[str, AlertBook] = field(default_factory=dict)
    newest: datetime | None = None
    dirty: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    _by_region: dict[str, set[str]] = field(default_factory=dict)
    # Registered voters (registry) of the stations filed under each region, and all of them.
    _registered: dict[str, int] = field(default_factory=dict)
    _registered_all: int = 0
    # Registry and member station ids, and how many (region, station) pairs _by_region holds:
    # equal counts mean every station is filed under exactly one region.
    _known: set[str] = field(default_factory=set)
    _memberships: int = 0
    _sums: dict[str, Sums] = field(default_factory=dict)
    _stale: set[str] = field(default_factory=set)
    # The last region a budgeted evaluation took: the next one starts after it.
    _last_evaluated: str = ""

    def set_registry(self, infos: Mapping[str, StationInfo]) -> None:
        self.registry = dict(infos)
        self._by_region, self._registered, self._known, self._memberships = {}, {}, set(), 0
        self._registered_all = sum(i.registered_voters for i in self.registry.values())
        for sid, info in self.registry.items():
            self._file(info.region_id, sid)
        for sid, s in self.members.items():
            self._file(s.region_id, sid)
        self.dirty.update(self._by_region)
        self._sums.clear()
        self._stale.update(self._by_region)

    def _file(self, region: str, sid: str) -> None:
        held = self._by_region.setdefault(region, set())
        if sid in held:
            return
        held.add(sid)
        self._memberships += 1
        self._known.add(sid)
        info = self.registry.get(sid)
        if info is not None:
            self._registered[region] = self._registered.get(region, 0) + info.registered_voters

    def upsert(self, stats: StationStats) -> None:
        """Takes a station's latest figures (an older version than the one held is ignored)."""
        held = self.members.get(stats.station_id)
        if held is not None and held.updated_at > stats.updated_at:
            return
        self.members[stats.station_id] = stats
        self._file(stats.region_id, stats.station_id)
        self.dirty.add(stats.region_id)
        self._stale.add(stats.region_id)
        if stats.last_report_at is not None and (self.newest is None or stats.last_report_at > self.newest):
            self.newest = stats.last_report_at

    def watermark(self, held_back_to: datetime | None = None) -> datetime | None:
        """The newest report seen, or `held_back_to` if older (a lagging partition's newest,
        domain/partition_marks.py), minus the grace."""
        if self.newest is None:
            return None
        newest = self.newest if held_back_to is None else min(self.newest, held_back_to)
        return newest - timedelta(minutes=self.cfg.windows.grace_minutes)

    def evaluate(
        self, now: datetime, regions: Iterable[str] | None = None, budget: int | None = None
    ) -> RegionTick:
        """Re-evaluates the given regions (default: the dirty ones) and the nation at `now`.

        With a `budget`, the dirty regions are taken in turn, from the one after the last region
        evaluated, until their stations would exceed it (one region at least); the others stay
        dirty for the next call. A national day's silence check otherwise opened ~80,000 alerts
        in one tick: the worker held them all at once (+400-700 MB) and stopped for seconds."""
        chosen = sorted(self.dirty if regions is None else set(regions))
        if budget is not None:
            chosen = self._in_turn(chosen, budget)
        self.dirty.difference_update(chosen)
        alerts: list[Alert] = []
        changed: list[StationStats] = []
        out: list[RegionStats] = []
        check_silence = self.cfg.silent_station.enabled
        # When polls opened in each station's zone (its region's, else the rules'): once per zone.
        opened_in: dict[str | None, datetime | None] = {}
        for region in chosen:
            members = [self.members[s] for s in sorted(self._by_region.get(region, ())) if s in self.members]
            judged = self._judged(members)
            extra = 0
            for s in members:
                sid = s.station_id
                # Stations without enough peers are not judged and keep their alert state.
                conds = {rule: found[sid] for rule, found in judged.items() if sid in found}
                if check_silence:
                    info = self.registry.get(sid)
                    zone = info.timezone if info is not None else None
                    if zone not in opened_in:
                        opened_in[zone] = polls_opened_at(self.cfg.polls, now, zone)
                    conds[SILENT_STATION] = silence_since(s, now, opened_in[zone], self.cfg.silent_station)
                book = self.alerts.get(sid)
                if book is None:
                    if all(c is None for c in conds.values()):
                        continue  # nothing open, nothing fires: no transition, not silent
                    book = self.alerts[sid] = AlertBook()
                moved = book.step(sid, s.region_id, conds, now)
                alerts.extend(moved)
                was_silent = sid in self.silent
                is_silent = SILENT_STATION in book.open
                (self.silent.add if is_silent else self.silent.discard)(sid)
                if moved or was_silent != is_silent:
                    changed.append(self.station_view(s))
                extra += book.count_open()
            self._sums[region] = sums(members, self.silent, extra)
            self._stale.discard(region)
            out.append(self._finish(region, self._sums[region], now))
        if chosen:
            out.append(self._national(now))
        return RegionTick(alerts, out, changed)

    def _judged(self, members: list[StationStats]) -> dict[str, dict[str, Condition | None]]:
        """The region-relative rules' findings, per rule, for the stations they could judge."""
        cfg = self.cfg
        judged: dict[str, dict[str, Condition | None]] = {}
        if cfg.turnout_outlier.enabled:
            judged[TURNOUT_OUTLIER] = outliers(members, cfg.turnout_outlier)
        if cfg.home_voting.enabled and cfg.home_voting.region is not None:
            judged[HOME_VOTING] = home_voting_outliers(members, cfg.home_voting)
        return judged

    def _in_turn(self, regions: list[str], budget: int) -> list[str]:
        start = bisect_right(regions, self._last_evaluated)
        chosen: list[str] = []
        stations = 0
        for region in regions[start:] + regions[:start]:
            size = len(self._by_region.get(region, ()))
            if chosen and stations + size > budget:
                break
            chosen.append(region)
            stations += size
        if chosen:
            self._last_evaluated = chosen[-1]
        return sorted(chosen)

    def mark_all(self) -> None:
        """Every region is evaluated again (at its turn, under a budget)."""
        self.dirty.update(self._by_region)

    def station_view(self, s: StationStats) -> StationStats:
        """A station's figures with silence and the region-level alerts added."""
        book = self.alerts.get(s.station_id)
        extra = book.count_open() if book else 0
        return replace(s, silent=s.station_id in self.silent, open_alerts=s.open_alerts + extra)

    def _region_sums(self, region: str) -> Sums:
        cached = self._sums.get(region)
        if cached is None or region in self._stale:
            members = [self.members[s] for s in self._by_region.get(region, ()) if s in self.members]
            extra = sum(
                self.alerts[s.station_id].count_open() for s in members if s.station_id in self.alerts
            )
            cached = self._sums[region] = sums(members, self.silent, extra)
            self._stale.discard(region)
        return cached

    def _finish(self, region: str, totals: Sums, now: datetime) -> RegionStats:
        return finish(
            region, totals, len(self._by_region.get(region, ())), self._registered.get(region, 0), now
        )

    def _national(self, now: datetime) -> RegionStats:
        if self._memberships == len(self._known):  # each station in one region: add regions up
            totals = Sums()
            for region in sorted(self._by_region):
                totals.add(self._region_sums(region))
        else:  # a station filed under two regions (its region changed): one pass, once each
            extra = sum(b.count_open() for b in self.alerts.values())
            totals = sums(self.members.values(), self.silent, extra)
        return finish(NATIONAL, totals, len(self._known), self._registered_all, now)

    def all_regions(self) -> list[str]:
        return sorted(self._by_region)
