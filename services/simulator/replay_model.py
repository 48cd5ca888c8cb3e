"""A real election's final protocols as an election day: registry, intraday turnout, protocols.

Pure: from forensics `Protocols` (any dataset in ../shared/data) and the `Election` it belongs to,
to a station registry and the reports monitors would have sent, each at its region's local time
on the election's date(s). Intraday turnout is synthesised along the daily curve so that each
station's last report equals its published ballots issued exactly.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from services.common.contracts import events as ev
from services.common.registry.stations import Region, Registry, Station
from services.forensics.protocols import Protocols
from services.simulator.curve import POLLS_OPEN_HOURS, cumulative_share
from services.simulator.elections import Election
from services.simulator.scenario import PlannedReport

# Home-voting applications are mostly made by midday: all of a day's by 6 h after opening.
HOME_APPLICATIONS_HOURS = 6.0


def replayed_stations(p: Protocols, limit: int | None = None) -> Protocols:
    """The stations a replay sends: those with voters (the others have nothing to report), and
    with a `limit`, an even sample of them across the file, so every region keeps some."""
    keep = p.registered > 0
    if limit is not None:
        keep &= np.arange(p.size) % max(1, p.size // limit) == 0
        keep &= np.cumsum(keep) <= limit
    return p.subset(keep)


def region_code(index: int) -> str:
    return f"R{index + 1:02d}"


def replay_registry(p: Protocols, election: Election) -> Registry:
    """Regions (kind and time zone from the election) and stations; UnknownElectionError names
    a region without a zone."""
    regions = tuple(
        Region(
            region_code(i),
            name,
            "city" if name in election.cities else "region",
            # Polls open and close, and silence is judged, in the region's own time.
            election.zone_name(name),
        )
        for i, name in enumerate(p.region_names)
    )
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


def replay_zones(p: Protocols, election: Election) -> dict[str, ZoneInfo]:
    """Each region code's time zone; UnknownElectionError names a region without one."""
    return {region_code(i): election.zone_of(name) for i, name in enumerate(p.region_names)}


def turnout_times(election: Election, zone: ZoneInfo) -> list[tuple[datetime, float, float]]:
    """(when, share of the final turnout, share of the final home-voting applications) of each
    turnout report in `zone`, the closing count (1, 1) last."""
    opens = election.opens.hour + election.opens.minute / 60
    out: list[tuple[datetime, float, float]] = []
    for day, hour in election.turnout_schedule():
        before = election.day_shares[day - 1] if day else 0.0
        gained = election.day_shares[day] - before
        open_for = hour - opens
        turnout = before + gained * cumulative_share(open_for * POLLS_OPEN_HOURS / election.polls_hours)
        home = before + gained * min(1.0, open_for / HOME_APPLICATIONS_HOURS)
        out.append((election.local(day, hour, zone), turnout, home))
    return out


def protocol_time(election: Election, zone: ZoneInfo) -> datetime:
    closes = election.closes.hour + election.closes.minute / 60
    return election.local(len(election.days) - 1, closes, zone) + election.protocol_after


def replay_reports(
    p: Protocols, registry: Registry, election: Election, zones: dict[str, ZoneInfo], run_id: str
) -> list[PlannedReport]:
    """Turnout on the election's schedule, the closing count, then the protocol, per station."""
    names = p.candidate_names or (p.leader_name or "leader",)
    schedules = {
        code: (turnout_times(election, zone), protocol_time(election, zone)) for code, zone in zones.items()
    }
    reports: list[PlannedReport] = []
    for i, station in enumerate(registry.stations):
        issued = int(p.issued[i])
        home = int(p.home_issued[i]) if p.home_issued is not None else 0
        times, protocol_at = schedules[station.region_id]
        for n, (at, turnout, home_share) in enumerate(times):
            body = ev.TurnoutUpdate(round(issued * turnout), round(home * home_share))
            reports.append(PlannedReport(at, f"{run_id}-{i}-t{n}", station.id, body))
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
        reports.append(PlannedReport(protocol_at, f"{run_id}-{i}-p", station.id, protocol))
    reports.sort(key=lambda r: (r.observed_at, r.report_id))
    return reports
