"""A station's published figures (StationStats), derived from its state at its own event time."""

from __future__ import annotations

from datetime import UTC, datetime

from services.aggregator.domain.protocol_check import problems
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_rules import pct, registered
from services.aggregator.domain.station_state import StationInfo, StationState
from services.aggregator.domain.windows import hop_end, rate_per_hour
from services.common import catalog
from services.common.contracts.events import ProtocolSummary, StationStats, ViolationType

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


def station_stats(state: StationState, info: StationInfo, cfg: RulesConfig) -> StationStats:
    """The latest figures; `updated_at` is the station's newest event time, so replays agree."""
    reg = registered(state, info)
    latest = state.latest_turnout()
    ballots = latest[1].ballots if latest else 0
    home = latest[1].home if latest else 0
    now = state.last_at or 0
    w = cfg.windows
    end = hop_end(now, w.rate_step_minutes * 60, w.grace_minutes * 60)
    times, cumulative = state.turnout_series()
    rate = pct(1, reg) * rate_per_hour(times, cumulative, end, w.rate_minutes * 60)
    recent: dict[str, int] = {}
    for r in state.incidents:
        if now - w.incidents_recent_minutes * 60 < r.at <= now:
            name = ViolationType(r.violation).name
            recent[name] = recent.get(name, 0) + 1
    proto = None
    if state.protocol is not None:
        p = state.protocol.protocol
        proto = ProtocolSummary(
            registered_voters=p.registered_voters,
            ballots_issued=p.ballots_issued,
            ballots_cast=p.ballots_cast,
            valid_ballots=p.valid_ballots,
            invalid_ballots=p.invalid_ballots,
            votes=dict(sorted(p.votes.items())),
            copy_received=p.copy_received,
            inconsistencies=tuple(catalog.render(t, catalog.Lang.EN) for t in problems(p)),
        )
    monitors: dict[str, set[str]] = {}
    for r in state.incidents:
        monitors.setdefault(ViolationType(r.violation).name, set()).add(r.monitor_id)
    return StationStats(
        station_id=state.station_id,
        region_id=info.region_id,
        registered_voters=reg,
        ballots_issued=ballots,
        turnout_pct=round(pct(ballots, reg), 4),
        turnout_rate_pp_per_hour=round(rate, 4),
        home_voting_applications=home,
        home_voting_pct=round(pct(home, reg), 4),
        incidents_total=dict(sorted(state.incidents_total.items())),
        incidents_recent=dict(sorted(recent.items())),
        last_report_at=at(state.last_at) if state.last_at is not None else None,
        open_alerts=state.alerts.count_open(),
        protocol=proto,
        reports_processed=state.reports,
        updated_at=at(now) if state.last_at is not None else EPOCH,
        violation_monitors={name: len(m) for name, m in sorted(monitors.items())},
        checklist=checklist_answers(state),
    )


def checklist_answers(state: StationState) -> dict[str, bool]:
    """The latest answer per question of each phase, keyed "<phase>.<question>"."""
    return {
        f"{phase}.{question}": answer
        for phase, record in sorted(state.checklists.items())
        for question, answer in sorted(record.answers.items())
    }
