"""Region and nationwide roll-ups of station figures (pure)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from services.common.events import RegionStats, StationStats


def rollup(
    region_id: str,
    members: Iterable[StationStats],
    stations_total: int,
    registered_total: int,
    silent: Collection[str],
    extra_open_alerts: int,
    now: datetime,
) -> RegionStats:
    """Voter-weighted turnout over the stations that reported turnout; rates per 100 stations of
    the registry; `silent` are station ids currently silent, `extra_open_alerts` the region-level
    alerts (silence, outliers) that station figures do not count."""
    reporting = silent_count = open_alerts = 0
    reg_turnout = ballots = home = 0
    rate_weighted = 0.0
    incidents: dict[str, int] = {}
    for s in members:
        open_alerts += s.open_alerts
        for name, n in s.incidents_total.items():
            incidents[name] = incidents.get(name, 0) + n
        if s.station_id in silent:
            silent_count += 1
        elif s.last_report_at is not None:
            reporting += 1
        if s.ballots_issued > 0 and s.registered_voters > 0:
            reg_turnout += s.registered_voters
            ballots += s.ballots_issued
            home += s.home_voting_applications
            rate_weighted += s.turnout_rate_pp_per_hour * s.registered_voters
    total_incidents = sum(incidents.values())
    return RegionStats(
        region_id=region_id,
        stations_total=stations_total,
        stations_reporting=reporting,
        stations_silent=silent_count,
        registered_voters=registered_total,
        ballots_issued=ballots,
        turnout_pct=round(100.0 * ballots / reg_turnout, 4) if reg_turnout else 0.0,
        turnout_rate_pp_per_hour=round(rate_weighted / reg_turnout, 4) if reg_turnout else 0.0,
        home_voting_pct=round(100.0 * home / reg_turnout, 4) if reg_turnout else 0.0,
        incidents_per_100_stations=round(100.0 * total_incidents / stations_total, 4)
        if stations_total
        else 0.0,
        incidents_total=dict(sorted(incidents.items())),
        open_alerts=open_alerts + extra_open_alerts,
        updated_at=now,
    )
