"""When the simulated election day opens on each region's own clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

POLLS_OPEN = time(7, 0)


def opening_today(now: datetime, election_zone: str) -> datetime:
    """07:00 today in the election's zone: the date is the election's, wherever a station is."""
    zone = ZoneInfo(election_zone)
    return datetime.combine(now.astimezone(zone).date(), POLLS_OPEN, zone)


def opening_in_the_past(now: datetime, election_zone: str) -> datetime:
    """07:00 two days ago in the election's zone: a compressed day never runs ahead of the clock."""
    zone = ZoneInfo(election_zone)
    return datetime.combine(now.astimezone(zone).date() - timedelta(days=2), POLLS_OPEN, zone)


def local_openings(election_opening: datetime, zones: Mapping[str, str | None]) -> dict[str, datetime]:
    """The same date's 07:00 on each region's own clock (regions without a zone keep the
    election's): polls in Aktobe open an hour after Almaty's in 2012, not at Almaty's 07:00."""
    day = election_opening.date()
    return {
        region: datetime.combine(day, election_opening.timetz().replace(tzinfo=None), ZoneInfo(zone))
        for region, zone in zones.items()
        if zone
    }
