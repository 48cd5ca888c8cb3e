"""Rules that need more than one station: silence (against the event-time watermark) and the
turnout outlier (robust z-score against the region at the same time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.aggregator.domain.alerts import Condition
from services.aggregator.domain.robust import mad, median, robust_z
from services.aggregator.domain.rules import Polls, SilentStation, TurnoutOutlier
from services.common.events import Severity, StationStats

SILENT_STATION = "silent_station"
TURNOUT_OUTLIER = "turnout_outlier"


def polls_opened_at(polls: Polls, now: datetime) -> datetime | None:
    """When polls opened on `now`'s local day if they are open at `now`, else None."""
    local = now.astimezone(ZoneInfo(polls.timezone))
    if not polls.open <= local.time() < polls.close:
        return None
    return local.replace(hour=polls.open.hour, minute=polls.open.minute, second=0, microsecond=0)


def silence(stats: StationStats, now: datetime, polls: Polls, rule: SilentStation) -> Condition | None:
    """Fires when a station that has reported before, and not yet its final protocol, has been
    quiet `rule.minutes` of open polls."""
    return silence_since(stats, now, polls_opened_at(polls, now), rule)


def silence_since(
    stats: StationStats, now: datetime, opened: datetime | None, rule: SilentStation
) -> Condition | None:
    """`silence` with the polls' opening time (`polls_opened_at(polls, now)`) computed once by
    the caller for every station evaluated at `now`. A station whose final protocol is in has
    closed: it is never silent, wherever its polls close (a region hours ahead of the polls'
    time zone is done while the capital still votes)."""
    if opened is None or stats.last_report_at is None or stats.protocol is not None:
        return None
    since = max(stats.last_report_at, opened)
    quiet = (now - since) / timedelta(minutes=1)
    if quiet < rule.minutes:
        return None
    return Condition(
        Severity.WARNING, round(quiet, 1), rule.minutes, f"no report for {quiet:.0f} min while polls are open"
    )


def outliers(members: Sequence[StationStats], rule: TurnoutOutlier) -> dict[str, Condition | None]:
    """Robust z-score of each station's turnout against the stations of its region in the same
    reporting round (last report in the same `round_minutes` bucket), so that a station that has
    already sent its 11:00 figure is not compared with stations still at their 09:00 one.

    Only stations in a round with enough peers are judged (firing or clear); the others are left
    out, so their alert state is kept until their round fills up."""
    result: dict[str, Condition | None] = {}
    rounds: dict[int, list[StationStats]] = {}
    size = rule.round_minutes * 60
    for s in members:
        if s.ballots_issued > 0 and s.last_report_at is not None:
            rounds.setdefault(int(s.last_report_at.timestamp() // size), []).append(s)
    for peers in rounds.values():
        if len(peers) < rule.min_stations:
            continue
        values = [s.turnout_pct for s in peers]
        centre = median(values)
        spread = max(mad(values), rule.mad_floor_pp)
        for s in peers:
            z = robust_z(s.turnout_pct, centre, spread)
            result[s.station_id] = None
            if abs(z) >= rule.z and s.turnout_pct >= rule.min_turnout_pp:
                result[s.station_id] = Condition(
                    Severity.WARNING,
                    round(z, 2),
                    rule.z,
                    f"turnout {s.turnout_pct:.1f}% vs region median {centre:.1f}% (robust z {z:.1f})",
                )
    return result
