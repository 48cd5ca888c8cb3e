"""Rules that need more than one station: silence (against the event-time watermark), the
turnout outlier (robust z-score against the region at the same time), and home voting when a
profile makes it relative to the region."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from services.aggregator.domain.alerts import Condition
from services.aggregator.domain.robust import mad, median, robust_z
from services.aggregator.domain.rule_config import (
    HomeVoting,
    MonitorAbsent,
    Polls,
    SilentStation,
    TurnoutOutlier,
)
from services.common.checklist_config import ChecklistConfig
from services.common.contracts.events import AlertText, ChecklistPhase, Severity, StationStats, ViolationType

SILENT_STATION = "silent_station"
TURNOUT_OUTLIER = "turnout_outlier"
HOME_VOTING = "home_voting"  # the station rule's name: one rule, judged here or per station
MONITOR_ABSENT = "monitor_absent"
CHECKLIST_REGION = "checklist_region"
_RESTRICTED = ViolationType.MONITOR_RESTRICTED.name

# A station's time zone (its region's, else the polls'); UTC when none is given.
ZoneOf = Callable[[StationStats], tzinfo]


def _utc(_: StationStats) -> tzinfo:
    return UTC


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


def monitor_absent(stats: StationStats | None, rule: MonitorAbsent) -> Condition | None:
    """A station whose monitor is assigned that has sent nothing from inside: no report at all
    (`stats` None), or only "monitor restricted" incidents. The caller judges it only once the
    rule's time after opening is up (`absence_due`)."""
    reported = 0 if stats is None else stats.reports_processed
    restricted = 0 if stats is None else stats.incidents_total.get(_RESTRICTED, 0)
    if reported > restricted:
        return None
    key = f"{MONITOR_ABSENT}.restricted" if restricted else f"{MONITOR_ABSENT}.silent"
    return Condition(
        Severity.CRITICAL,
        float(reported),
        0.0,
        (AlertText(key, {"minutes": rule.minutes}),),
        confidence=1.0 if restricted else 0.6,
    )


def voting_under_way(stats: StationStats) -> bool:
    """A station's figures show election day itself: an opening checklist or ballots issued (the
    eve's readiness checklists do not). Read from figures, so it holds again after a restart."""
    return stats.ballots_issued > 0 or any(
        k.startswith(f"{ChecklistPhase.OPENING.value}.") for k in stats.checklist
    )


def absence_due(now: datetime, opened: datetime | None, rule: MonitorAbsent) -> bool:
    """Whether monitor_absent judges at `now`: polls `opened` today and `rule.minutes` have
    passed since. The caller also waits for voting to be under way somewhere
    (`voting_under_way`): polls' hours hold on the eve too, when monitors send only readiness
    checklists. Not judged (rather than cleared) otherwise, so an alert stays open after
    closing, and an event clock held back does not resolve it."""
    return opened is not None and now >= opened + timedelta(minutes=rule.minutes)


def observed(s: StationStats) -> bool:
    """A station is observed once its monitor reported anything (the findings' denominator)."""
    return s.reports_processed > 0


def checklist_region(members: Sequence[StationStats], cfg: ChecklistConfig) -> Condition | None:
    """Every question that at least `share_pct` % of the region's observed stations (at least
    `min_observed` of them) answer no in their latest checklist of its phase: one region alert."""
    seen = [s for s in members if observed(s)]
    rule = cfg.region_alert
    if len(seen) < rule.min_observed:
        return None
    texts: list[AlertText] = []
    worst = 0.0
    for q in cfg.questions:
        no = sum(1 for s in seen if s.checklist.get(q.key) is False)
        share = 100.0 * no / len(seen)
        if no and share >= rule.share_pct:
            worst = max(worst, share)
            figures = {
                "phase": q.phase.value, "checklist": q.id, "count": no, "observed": len(seen),
                "share": round(share, 1), "threshold": rule.share_pct,
            }  # fmt: skip
            texts.append(AlertText(CHECKLIST_REGION, figures))
    if not texts:
        return None
    # Each question failing is a reason: a new one updates the alert (gathers its "reports").
    keys = tuple(f"{t.params['phase']}.{t.params['checklist']}" for t in texts)
    return Condition(
        Severity.WARNING, round(worst, 1), rule.share_pct, tuple(texts), keys, gathers_reports=True
    )


def _rounds(
    members: Sequence[StationStats], round_minutes: float, zone_of: ZoneOf
) -> list[list[StationStats]]:
    """Stations that have reported, by reporting round: last report in the same bucket of the
    station's local clock (monitors report at 10:00, 12:00... local: a zone half an hour or
    45 min off UTC, or rounds longer than its offset's step, would split a round on UTC's)."""
    rounds: dict[int, list[StationStats]] = {}
    size = round_minutes * 60
    for s in members:
        at = s.last_report_at
        if at is not None:
            offset = zone_of(s).utcoffset(at)
            local = at.timestamp() + (offset.total_seconds() if offset is not None else 0.0)
            rounds.setdefault(int(local // size), []).append(s)
    return list(rounds.values())


def _robust_zs(
    peers: Sequence[StationStats], value: Callable[[StationStats], float], floor: float
) -> tuple[float, list[float]]:
    """The peers' median and each one's robust z (the MAD floored at `floor`)."""
    values = [value(s) for s in peers]
    centre = median(values)
    spread = max(mad(values), floor)
    return centre, [robust_z(v, centre, spread) for v in values]


def outliers(
    members: Sequence[StationStats], rule: TurnoutOutlier, zone_of: ZoneOf = _utc
) -> dict[str, Condition | None]:
    """Robust z-score of each station's turnout against the stations of its region in the same
    reporting round (last report in the same `round_minutes` bucket of local time), so that a
    station that has already sent its 11:00 figure is not compared with stations still at their
    09:00 one.

    Only stations in a round with enough peers are judged (firing or clear); the others are left
    out, so their alert state is kept until their round fills up."""
    result: dict[str, Condition | None] = {}
    voted = [s for s in members if s.ballots_issued > 0]
    for peers in _rounds(voted, rule.round_minutes, zone_of):
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


def home_voting_outliers(
    members: Sequence[StationStats], rule: HomeVoting, zone_of: ZoneOf = _utc
) -> dict[str, Condition | None]:
    """home_voting relative to the region (`rule.region` set): a share at or above the warning
    (critical) threshold fires only where its robust z against the region's stations in the same
    reporting round is at least `rule.region.z`. Judged as `outliers` (enough peers, or left out)."""
    relative = rule.region
    if relative is None:
        raise ValueError("home_voting has no region settings")
    result: dict[str, Condition | None] = {}
    for peers in _rounds(members, relative.round_minutes, zone_of):
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
