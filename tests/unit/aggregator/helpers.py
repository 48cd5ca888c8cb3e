"""Plain builders for the aggregator's domain tests."""

from __future__ import annotations

from datetime import timedelta

from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_state import StationInfo, StationState
from services.common.contracts import events as ev
from tests.support import factories as f

CFG = RulesConfig()
INFO = StationInfo("ALA", 1000)
DEDUP_S = CFG.windows.dedup_hours * 3600
T0 = f.ELECTION_DAY  # 08:00 Almaty


def at(minutes: float) -> object:
    return T0 + timedelta(minutes=minutes)


def turnout(ballots: int, minutes: float, id: str, home: int = 0, station: str = "ALA-0001") -> ev.Report:
    return f.turnout(ballots, home, id=id, minutes=minutes, station_id=station)


def incident(
    violation: ev.ViolationType, minutes: float, id: str, monitor: str = "mon-1", station: str = "ALA-0001"
) -> ev.Report:
    return f.report(ev.Incident(violation), id=id, minutes=minutes, monitor_id=monitor, station_id=station)


def protocol(minutes: float, id: str, **overrides: object) -> ev.Report:
    return f.report(f.protocol(**overrides), id=id, minutes=minutes)


def state_of(*reports: ev.Report, station: str = "ALA-0001") -> StationState:
    s = StationState(station)
    for r in reports:
        s.apply(r, DEDUP_S)
    return s
