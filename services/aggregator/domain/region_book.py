"""The regional view: the latest figures of every station, roll-ups, silence and outliers.

Time is the event-time watermark: the newest report seen anywhere minus the grace period,
held back to a lagging partition's newest report while that partition still has reports
waiting, and optionally moved on by the caller (a wall clock while no reports arrive).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from services.aggregator.domain.alerts import AlertBook, Condition
from services.aggregator.domain.region_rollup import Sums, finish, sums
from services.aggregator.domain.region_rules import (
    CHECKLIST_REGION,
    HOME_VOTING,
    MONITOR_ABSENT,
    SILENT_STATION,
    TURNOUT_OUTLIER,
    absence_due,
    checklist_region,
    home_voting_outliers,
    monitor_absent,
    outliers,
    polls_opened_at,
    silence_since,
    voting_under_way,
)
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_state import StationInfo
from services.common.contracts.events import NATIONAL, Alert, RegionStats, StationStats


def region_key(region: str) -> str:
    """The key of a region's own alert book among the stations' (no station id starts with "@")."""
    return f"@{region}"


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
    # Whether any station's figures show voting under way (monitor_absent judges only then).
    voting_seen: bool = False
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
        at = stats.last_report_at
        if at is not None and (self.newest is None or at > self.newest):
            self.newest = at
        if not self.voting_seen:
            self.voting_seen = voting_under_way(stats)

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

        def opened(sid: str) -> datetime | None:
            info = self.registry.get(sid)
            zone = info.timezone if info is not None else None
            if zone not in opened_in:
                opened_in[zone] = polls_opened_at(self.cfg.polls, now, zone)
            return opened_in[zone]

        for region in chosen:
            members = [self.members[s] for s in sorted(self._by_region.get(region, ())) if s in self.members]
            judged = self._judged(members)
            extra = 0
            for sid in self._absent_candidates(region):
                # Monitored stations that never reported: only monitor_absent can judge them.
                conds = self._absent(sid, None, now, opened(sid))
                book = self.alerts.get(sid)
                if book is None and any(c is not None for c in conds.values()):
                    book = self.alerts[sid] = AlertBook()
                if book is not None:
                    alerts.extend(book.step(sid, region, conds, now))
                    extra += book.count_open()
            for s in members:
                sid = s.station_id
                # Stations without enough peers are not judged and keep their alert state.
                conds = {rule: found[sid] for rule, found in judged.items() if sid in found}
                if check_silence:
                    conds[SILENT_STATION] = silence_since(s, now, opened(sid), self.cfg.silent_station)
                conds.update(self._absent(sid, s, now, opened(sid)))
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
            moved, open_here = self._region_alerts(region, members, now)
            alerts.extend(moved)
            extra += open_here
            self._sums[region] = sums(members, self.silent, extra)
            self._stale.discard(region)
            out.append(self._finish(region, self._sums[region], now))
        if chosen:
            out.append(self._national(now))
        return RegionTick(alerts, out, changed)

    def _region_alerts(
        self, region: str, members: list[StationStats], now: datetime
    ) -> tuple[list[Alert], int]:
        """The region's own alerts (checklist_region), kept under `region_key(region)`; returns
        their transitions and how many are open."""
        key = region_key(region)
        conds = {CHECKLIST_REGION: checklist_region(members, self.cfg.checklists)}
        book = self.alerts.get(key)
        if book is None:
            if conds[CHECKLIST_REGION] is None:
                return [], 0
            book = self.alerts[key] = AlertBook()
        return book.step("", region, conds, now), book.count_open()

    def _absent_candidates(self, region: str) -> list[str]:
        if not self.cfg.monitor_absent.enabled:
            return []
        return [
            sid
            for sid in sorted(self._by_region.get(region, ()))
            if sid not in self.members and (info := self.registry.get(sid)) is not None and info.monitored
        ]

    def _absent(
        self, sid: str, stats: StationStats | None, now: datetime, opened: datetime | None
    ) -> dict[str, Condition | None]:
        """monitor_absent for a monitored station, once due (`absence_due`; else not judged)."""
        info = self.registry.get(sid)
        rule = self.cfg.monitor_absent
        if not rule.enabled or info is None or not info.monitored:
            return {}
        if info.checked_in:
            return {MONITOR_ABSENT: None}  # the monitor said they are at the station
        if not self.voting_seen or not absence_due(now, opened, rule):
            return {}
        return {MONITOR_ABSENT: monitor_absent(stats, rule)}

    def _judged(self, members: list[StationStats]) -> dict[str, dict[str, Condition | None]]:
        """The region-relative rules' findings, per rule, for the stations they could judge."""
        cfg = self.cfg
        judged: dict[str, dict[str, Condition | None]] = {}
        if cfg.turnout_outlier.enabled:
            judged[TURNOUT_OUTLIER] = outliers(members, cfg.turnout_outlier, self.zone_of)
        if cfg.home_voting.enabled and cfg.home_voting.region is not None:
            judged[HOME_VOTING] = home_voting_outliers(members, cfg.home_voting, self.zone_of)
        return judged

    def zone_of(self, s: StationStats) -> tzinfo:
        """The station's time zone: its region's in the registry, else the polls'."""
        info = self.registry.get(s.station_id)
        return ZoneInfo((info.timezone if info is not None else None) or self.cfg.polls.timezone)

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
