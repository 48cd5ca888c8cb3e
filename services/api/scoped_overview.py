"""The overview a region-scoped key sees: its regions' roll-ups combined, never the nation's.

The aggregator weights turnout, its rate and home voting by the registered voters of the
stations that reported turnout, which each roll-up carries (`registered_voters_reporting`): the
counts add up, so turnout and home voting are exactly the aggregator's own roll-up of the same
stations, and the rate (rounded per region to 4 decimals) is within that rounding. A roll-up
from before that field (0) gives its voters back as ballots over turnout. `updatedAt` is the
latest of the regions'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from services.common.contracts import events as ev


def _voters_reporting_turnout(stats: ev.RegionStats) -> float:
    if stats.registered_voters_reporting:
        return stats.registered_voters_reporting
    return 100.0 * stats.ballots_issued / stats.turnout_pct if stats.turnout_pct > 0 else 0.0


def combine(regions: Sequence[ev.RegionStats]) -> ev.RegionStats | None:
    """One roll-up of `regions` (None for none), as the national one would be over them alone."""
    if not regions:
        return None
    weights = [_voters_reporting_turnout(r) for r in regions]
    voters = sum(weights)
    stations = sum(r.stations_total for r in regions)
    incidents: dict[str, int] = {}
    for r in regions:
        for name, n in r.incidents_total.items():
            incidents[name] = incidents.get(name, 0) + n

    def weighted(values: Sequence[float]) -> float:
        return round(sum(v * w for v, w in zip(values, weights, strict=True)) / voters, 4) if voters else 0.0

    ballots = sum(r.ballots_issued for r in regions)
    home = sum(r.home_voting_applications for r in regions)
    return ev.RegionStats(
        region_id=ev.NATIONAL,
        stations_total=stations,
        stations_reporting=sum(r.stations_reporting for r in regions),
        stations_silent=sum(r.stations_silent for r in regions),
        registered_voters=sum(r.registered_voters for r in regions),
        ballots_issued=ballots,
        turnout_pct=round(100.0 * ballots / voters, 4) if voters else 0.0,
        turnout_rate_pp_per_hour=weighted([r.turnout_rate_pp_per_hour for r in regions]),
        home_voting_pct=round(100.0 * home / voters, 4)
        if voters and home
        else weighted([r.home_voting_pct for r in regions]),
        incidents_per_100_stations=round(100.0 * sum(incidents.values()) / stations, 4) if stations else 0.0,
        incidents_total=dict(sorted(incidents.items())),
        open_alerts=sum(r.open_alerts for r in regions),
        updated_at=max(r.updated_at for r in regions),
        registered_voters_reporting=round(voters),
        home_voting_applications=home,
    )


def region_stats_from_row(row: asyncpg.Record | Mapping[str, Any]) -> ev.RegionStats:
    """A `region_stats` row as the domain value the feed also carries."""
    incidents = row["incidents_total"]
    return ev.RegionStats(
        region_id=row["region_id"],
        stations_total=row["stations_total"],
        stations_reporting=row["stations_reporting"],
        stations_silent=row["stations_silent"],
        registered_voters=row["registered_voters"],
        ballots_issued=row["ballots_issued"],
        turnout_pct=row["turnout_pct"],
        turnout_rate_pp_per_hour=row["turnout_rate_pp_per_hour"],
        home_voting_pct=row["home_voting_pct"],
        incidents_per_100_stations=row["incidents_per_100_stations"],
        incidents_total=orjson.loads(incidents) if isinstance(incidents, str | bytes) else dict(incidents),
        open_alerts=row["open_alerts"],
        updated_at=row["updated_at"],
        registered_voters_reporting=row["registered_voters_reporting"],
        home_voting_applications=row["home_voting_applications"],
    )
