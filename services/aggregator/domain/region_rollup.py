"""Region and nationwide roll-ups of station figures (pure).

A roll-up is built from `Sums`: integer totals over a set of stations. Every field is an
integer (station rates are rounded to 1e-4 pp/h, so rate x voters is summed in units of 1e-4),
so the sums of disjoint regions add up exactly to the nation's, and the national figures are
combined from the regions' cached sums instead of a pass over every station.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.common.contracts.events import RegionStats, StationStats

RATE_UNITS = 10_000  # station rates are rounded to 4 decimals


@dataclass(slots=True)
class Sums:
    """Integer totals of a set of stations; `extra_open_alerts` are region-level alerts."""

    reporting: int = 0
    silent: int = 0
    open_alerts: int = 0
    extra_open_alerts: int = 0
    registered_turnout: int = 0  # registered voters of the stations that `reported_turnout`
    ballots: int = 0
    home: int = 0
    rate_voters: int = 0  # sum of rate (1e-4 pp/h) x registered voters
    incidents: dict[str, int] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        self.reporting += other.reporting
        self.silent += other.silent
        self.open_alerts += other.open_alerts
        self.extra_open_alerts += other.extra_open_alerts
        self.registered_turnout += other.registered_turnout
        self.ballots += other.ballots
        self.home += other.home
        self.rate_voters += other.rate_voters
        for name, n in other.incidents.items():
            self.incidents[name] = self.incidents.get(name, 0) + n


def reported_turnout(s: StationStats) -> bool:
    """Whether a station counts in its region's turnout: it reported a ballot count above zero,
    or its final protocol (which may say 0: such a station is in the denominator too)."""
    return s.registered_voters > 0 and (s.ballots_issued > 0 or s.protocol is not None)


def sums(members: Iterable[StationStats], silent: Collection[str], extra_open_alerts: int) -> Sums:
    """`silent` are station ids currently silent, `extra_open_alerts` the region-level alerts
    (silence, outliers) that station figures do not count."""
    out = Sums(extra_open_alerts=extra_open_alerts)
    incidents = out.incidents
    for s in members:
        out.open_alerts += s.open_alerts
        for name, n in s.incidents_total.items():
            incidents[name] = incidents.get(name, 0) + n
        if s.station_id in silent:
            out.silent += 1
        elif s.last_report_at is not None:
            out.reporting += 1
        if reported_turnout(s):
            out.registered_turnout += s.registered_voters
            out.ballots += s.ballots_issued
            out.home += s.home_voting_applications
            out.rate_voters += round(s.turnout_rate_pp_per_hour * RATE_UNITS) * s.registered_voters
    return out


def finish(
    region_id: str, totals: Sums, stations_total: int, registered_total: int, now: datetime
) -> RegionStats:
    """Turnout, home voting and rate over the stations that reported turnout, whose registered
    voters are `registered_voters_reporting`; incidents per 100 stations of the registry."""
    reg = totals.registered_turnout
    total_incidents = sum(totals.incidents.values())
    return RegionStats(
        region_id=region_id,
        stations_total=stations_total,
        stations_reporting=totals.reporting,
        stations_silent=totals.silent,
        registered_voters=registered_total,
        ballots_issued=totals.ballots,
        turnout_pct=round(100.0 * totals.ballots / reg, 4) if reg else 0.0,
        turnout_rate_pp_per_hour=round(totals.rate_voters / (RATE_UNITS * reg), 4) if reg else 0.0,
        home_voting_pct=round(100.0 * totals.home / reg, 4) if reg else 0.0,
        incidents_per_100_stations=round(100.0 * total_incidents / stations_total, 4)
        if stations_total
        else 0.0,
        incidents_total=dict(sorted(totals.incidents.items())),
        open_alerts=totals.open_alerts + totals.extra_open_alerts,
        updated_at=now,
        registered_voters_reporting=reg,
        home_voting_applications=totals.home,
    )


def rollup(
    region_id: str,
    members: Iterable[StationStats],
    stations_total: int,
    registered_total: int,
    silent: Collection[str],
    extra_open_alerts: int,
    now: datetime,
) -> RegionStats:
    """The roll-up of `members` in one pass (see `sums` and `finish`)."""
    return finish(region_id, sums(members, silent, extra_open_alerts), stations_total, registered_total, now)
