"""Plain typed factories for test data."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from services.common.contracts import events as ev
from services.common.registry.demo_registry import demo_registry
from services.common.registry.stations import Registry

ELECTION_DAY = datetime(2012, 1, 15, 2, 0, tzinfo=UTC)  # 08:00 in Almaty


def report(
    body: ev.ReportBody,
    *,
    id: str = "r-1",
    station_id: str = "ALA-0001",
    monitor_id: str = "mon-1",
    minutes: float = 0,
    channel: ev.Channel = ev.Channel.HTTP,
    flags: frozenset[ev.ReportFlag] = frozenset(),
) -> ev.Report:
    observed = ELECTION_DAY + timedelta(minutes=minutes)
    return ev.Report(
        id=id,
        station_id=station_id,
        monitor_id=monitor_id,
        channel=channel,
        observed_at=observed,
        received_at=observed + timedelta(seconds=3),
        body=body,
        flags=flags,
    )


def turnout(ballots: int, home: int = 0, **kw: object) -> ev.Report:
    return report(ev.TurnoutUpdate(ballots, home), **kw)  # type: ignore[arg-type]


def protocol(**overrides: object) -> ev.FinalProtocol:
    values: dict[str, object] = {
        "registered_voters": 1000,
        "ballots_received": 1050,
        "ballots_issued": 640,
        "ballots_cast": 638,
        "valid_ballots": 630,
        "invalid_ballots": 8,
        "votes": {"P01": 400, "P02": 230},
        "copy_received": True,
    }
    values.update(overrides)
    return ev.FinalProtocol(**values)  # type: ignore[arg-type]


def small_registry(per_region: int = 4) -> Registry:
    """`per_region` stations of each of the 13 demo regions (52 with the default)."""
    full = demo_registry()
    kept: dict[str, int] = defaultdict(int)
    stations = []
    for s in full.stations:
        if kept[s.region_id] < per_region:
            kept[s.region_id] += 1
            stations.append(s)
    return Registry(full.regions, tuple(stations))
