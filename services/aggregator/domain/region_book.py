"""The regional view: the latest figures of every station, roll-ups, silence and outliers.

Time is the event-time watermark: the newest report seen anywhere minus the grace period,
optionally moved on by the caller (a wall clock while no reports arrive).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.aggregator.domain.alerts import AlertBook, Condition
from services.aggregator.domain.region_rollup import rollup
from services.aggregator.domain.region_rules import SILENT_STATION, TURNOUT_OUTLIER, outliers, silence
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
    cfg: RulesConfig
    registry: dict[str, StationInfo] = field(default_factory=dict)
    members: dict[str, StationStats] = field(default_factory=dict)
    alerts: dict[str, AlertBook] = field(default_factory=dict)
    newest: datetime | None = None
    dirty: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    _by_region: dict[str, set[str]] = field(default_factory=dict)

    def set_registry(self, infos: Mapping[str, StationInfo]) -> None:
        self.registry = dict(infos)
        self._by_region = {}
        for sid, info in self.registry.items():
            self._by_region.setdefault(info.region_id, set()).add(sid)
        for sid, s in self.members.items():
            self._by_region.setdefault(s.region_id, set()).add(sid)
        self.dirty.update(self._by_region)

    def upsert(self, stats: StationStats) -> None:
        """Takes a station's latest figures (an older version than the one held is ignored)."""
        held = self.members.get(stats.station_id)
        if held is not None and held.updated_at > stats.updated_at:
            return
        self.members[stats.station_id] = stats
        self._by_region.setdefault(stats.region_id, set()).add(stats.station_id)
        self.dirty.add(stats.region_id)
        if stats.last_report_at is not None and (self.newest is None or stats.last_report_at > self.newest):
            self.newest = stats.last_report_at

    def watermark(self) -> datetime | None:
        if self.newest is None:
            return None
        return self.newest - timedelta(minutes=self.cfg.windows.grace_minutes)

    def evaluate(self, now: datetime, regions: Iterable[str] | None = None) -> RegionTick:
        """Re-evaluates the given regions (default: the dirty ones) and the nation at `now`."""
        chosen = sorted(self.dirty if regions is None else set(regions))
        self.dirty.difference_update(chosen)
        alerts: list[Alert] = []
        changed: list[StationStats] = []
        out: list[RegionStats] = []
        for region in chosen:
            members = [self.members[s] for s in sorted(self._by_region.get(region, ())) if s in self.members]
            conds: dict[str, dict[str, Condition | None]] = {s.station_id: {} for s in members}
            if self.cfg.turnout_outlier.enabled:
                for sid, cond in outliers(members, self.cfg.turnout_outlier).items():
                    conds[sid][TURNOUT_OUTLIER] = cond  # stations without enough peers keep their state
            if self.cfg.silent_station.enabled:
                for s in members:
                    conds[s.station_id][SILENT_STATION] = silence(
                        s, now, self.cfg.polls, self.cfg.silent_station
                    )
            for s in members:
                book = self.alerts.setdefault(s.station_id, AlertBook())
                moved = book.step(s.station_id, s.region_id, conds[s.station_id], now)
                alerts.extend(moved)
                was_silent = s.station_id in self.silent
                is_silent = SILENT_STATION in book.open
                (self.silent.add if is_silent else self.silent.discard)(s.station_id)
                if moved or was_silent != is_silent:
                    changed.append(self.station_view(s))
            out.append(self._rollup(region, members, now))
        if chosen:
            out.append(self._rollup(NATIONAL, list(self.members.values()), now))
        return RegionTick(alerts, out, changed)

    def station_view(self, s: StationStats) -> StationStats:
        """A station's figures with silence and the region-level alerts added."""
        book = self.alerts.get(s.station_id)
        extra = book.count_open() if book else 0
        return replace(s, silent=s.station_id in self.silent, open_alerts=s.open_alerts + extra)

    def _rollup(self, region: str, members: list[StationStats], now: datetime) -> RegionStats:
        if region == NATIONAL:
            infos: Iterable[StationInfo] = self.registry.values()
            extra = sum(b.count_open() for b in self.alerts.values())
        else:
            infos = (self.registry[s] for s in self._by_region.get(region, ()) if s in self.registry)
            extra = sum(
                self.alerts[s.station_id].count_open() for s in members if s.station_id in self.alerts
            )
        infos = list(infos)
        ids = {s.station_id for s in members}
        total = (
            len(set(self._by_region.get(region, ())) | ids)
            if region != NATIONAL
            else len(set(self.registry) | ids)
        )
        return rollup(
            region,
            members,
            total,
            sum(i.registered_voters for i in infos),
            self.silent & ids,
            extra,
            now,
        )

    def all_regions(self) -> list[str]:
        return sorted(self._by_region)
