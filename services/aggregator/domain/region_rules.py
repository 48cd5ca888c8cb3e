"""Rules that need more than one station: silence (against the event-time watermark), the
turnout outlier (robust z-score against the region at the same time), and home voting when a
profile makes it relative to the region."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.aggregator.domain.alerts import Condition
from services.aggregator.domain.robust import mad, median, robust_z
from services.aggregator.domain.rules import HomeVoting, Polls, SilentStation, TurnoutOutlier
from services.common.events import AlertText, Severity, StationStats

SILENT_STATION = "silent_station"
TURNOUT_OUTLIER = "turnout_outlier"
HOME_VOTING = "home_voting"  # the station rule's name: one rule, judged here or per station


def polls_opened_at(polls: Polls, now: datetime, zone: str | None = None) -> datetime | None:
    """When polls opened on `now`'s local day, in `zone` (default: the polls' own), if they are
    open at `now`, else None."""
    local = now.astimezone(ZoneInfo(zone or polls.timezone))
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
    text = AlertText(SILENT_STATION, {"minutes": round(quiet)})
    return Condition(Severity.WARNING, round(quiet, 1), rule.minutes, (text,))


def _rounds(members: Sequence[StationStats], round_minutes: float) -> list[list[StationStats]]:
    """Stations that have reported, by reporting round (last report in the same bucket)."""
    rounds: dict[int, list[StationStats]] = {}
    size = round_minutes * 60
    for s in members:
        if s.last_report_at is not None:
            rounds.setdefault(int(s.last_report_at.timestamp() // size), []).append(s)
    return list(rounds.values())


def _robust_zs(
    peers: Sequence[StationStats], value: Callable[[StationStats], float], floor: float
) -> tuple[float, list[float]]:
    """The peers' median and each one's robust z (the MAD floored at `floor`)."""
    values = [value(s) for s in peers]
    centre = median(values)
    spread = max(mad(values), floor)
    return centre, [robust_z(v, centre, spread) for v in values]


def outliers(members: Sequence[StationStats], rule: TurnoutOutlier) -> dict[str, Condition | None]:
    """Robust z-score of each station's turnout against the stations of its region in the same
    reporting round (last report in the same `round_minutes` bucket), so that a station that has
    already sent its 11:00 figure is not compared with stations still at their 09:00 one.

    Only stations in a round with enough peers are judged (firing or clear); the others are left
    out, so their alert state is kept until their round fills up."""
    result: dict[str, Condition | None] = {}
    voted = [s for s in members if s.ballots_issued > 0]
    for peers in _rounds(voted, rule.round_minutes):
        if len(peers) < rule.min_stations:
            continue
        centre, zs = _robust_zs(peers, lambda s: s.turnout_pct, rule.mad_floor_pp)
        for s, z in zip(peers, zs, strict=True):
            result[s.station_id] = None
            if abs(z) >= rule.z and s.turnout_pct >= rule.min_turnout_pp:
                text = AlertText(
                    TURNOUT_OUTLIER,
                    {"turnout": round(s.turnout_pct, 1), "median": round(centre, 1), "z": round(z, 1)},
                )
                result[s.station_id] = Condition(Severity.WARNING, round(z, 2), rule.z, (text,))
    return result


def home_share(s: StationStats) -> float:
    """Home-voting applications as a percentage of registered voters (the rule's measure)."""
    return 100.0 * s.home_voting_applications / s.registered_voters if s.registered_voters else 0.0


def home_voting_outliers(members: Sequence[StationStats], rule: HomeVoting) -> dict[str, Condition | None]:
    """home_voting relative to the region (`rule.region` set): a share at or above the warning
    (critical) threshold fires only where its robust z against the region's stations in the same
    reporting round is at least `rule.region.z`. Judged as `outliers` (enough peers, or left out)."""
    relative = rule.region
    if relative is None:
        raise ValueError("home_voting has no region settings")
    result: dict[str, Condition | None] = {}
    for peers in _rounds(members, relative.round_minutes):
        if len(peers) < relative.min_stations:
            continue
        centre, zs = _robust_zs(peers, home_share, relative.mad_floor_pp)
        for s, z in zip(peers, zs, strict=True):
            share = home_share(s)
            result[s.station_id] = None
            if z < relative.z or share < rule.warning:
                continue
            severity, threshold = (
                (Severity.CRITICAL, rule.critical)
                if share >= rule.critical
                else (Severity.WARNING, rule.warning)
            )
            figures = {
                "value": round(share, 1),
                "threshold": threshold,
                "median": round(centre, 1),
                "z": round(z, 1),
            }
            text = AlertText(f"{HOME_VOTING}.region", figures)
            result[s.station_id] = Condition(severity, round(share, 2), threshold, (text,))
    return result
