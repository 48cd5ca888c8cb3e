"""A real election's final protocols as an election day: registry, intraday turnout, protocols.

Pure: from forensics `Protocols` (any dataset in ../shared/data) to a station registry and the
reports monitors would have sent. Intraday turnout is synthesised along the daily curve so that
each station's last report equals its published ballots issued exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.common import events as ev
from services.common.forensics.protocols import Protocols
from services.common.stations import Region, Registry, Station
from services.simulator.curve import cumulative_share
from services.simulator.scenario import PlannedReport

# Hours after opening (08:00) at which the Russian CEC publishes turnout: 10:00, 12:00, 15:00, 18:00.
TURNOUT_HOURS = (2.0, 4.0, 7.0, 10.0)
CLOSING_HOURS = 12.0
HOUR = timedelta(hours=1)


def region_code(index: int) -> str:
    return f"R{index + 1:02d}"


def replay_registry(p: Protocols) -> Registry:
    regions = tuple(Region(region_code(i), name) for i, name in enumerate(p.region_names))
    stations = tuple(
        Station(
            # The source key is "region|district commission|station"; the region becomes its code.
            id=f"{region_code(int(p.region[i]))}:{sid.split('|', 1)[-1]}",
            region_id=region_code(int(p.region[i])),
            name=sid,
            registered_voters=int(p.registered[i]),
        )
        for i, sid in enumerate(p.station_ids)
    )
    return Registry(regions, stations)


def replay_reports(p: Protocols, registry: Registry, opening: datetime, run_id: str) -> list[PlannedReport]:
    """Turnout at the CEC's hours, the closing count, then the protocol, per station."""
    names = p.candidate_names or (p.leader_name or "leader",)
    reports: list[PlannedReport] = []
    for i, station in enumerate(registry.stations):
        issued = int(p.issued[i])
        home = int(p.home_issued[i]) if p.home_issued is not None else 0
        for n, h in enumerate((*TURNOUT_HOURS, CLOSING_HOURS)):
            share = 1.0 if h == CLOSING_HOURS else cumulative_share(h * 13 / CLOSING_HOURS)
            body = ev.TurnoutUpdate(round(issued * share), round(home * min(1.0, h / 6)))
            reports.append(PlannedReport(opening + h * HOUR, f"{run_id}-{i}-t{n}", station.id, body))
        if p.candidate_votes is not None:
            votes = {name: int(v) for name, v in zip(names, p.candidate_votes[i], strict=True)}
        elif p.leader is not None:
            votes = {names[0]: int(p.leader[i])}
        else:
            votes = {}
        valid, invalid = int(p.valid[i]), int(p.invalid[i])
        protocol = ev.FinalProtocol(
            registered_voters=station.registered_voters,
            ballots_received=max(station.registered_voters, issued),
            ballots_issued=issued,
            ballots_cast=valid + invalid,
            valid_ballots=valid,
            invalid_ballots=invalid,
            votes=votes,
            copy_received=True,
            home_ballots_issued=home,
        )
        reports.append(
            PlannedReport(opening + (CLOSING_HOURS + 1.5) * HOUR, f"{run_id}-{i}-p", station.id, protocol)
        )
    reports.sort(key=lambda r: (r.observed_at, r.report_id))
    return reports
