"""The station-level rules: each reads a StationState and returns a Condition or None (clear).

Evaluated at the station's own event time (its newest observed_at), so the outcome depends only
on the set of reports applied, never on when they arrived. Silence, the regional outlier and home
voting relative to the region need other stations and live in region_rules.
"""

from __future__ import annotations

import bisect

from services.aggregator.domain.alerts import Condition
from services.aggregator.domain.protocol_check import problems
from services.aggregator.domain.rule_config import RulesConfig, TwoLevel
from services.aggregator.domain.station_state import IncidentRecord, StationInfo, StationState, epoch
from services.aggregator.domain.windows import in_window, max_rise
from services.common.contracts import events as ev
from services.common.contracts.events import AlertText, Severity, ViolationType

ABNORMAL_TURNOUT = "abnormal_turnout"
TURNOUT_JUMP = "turnout_jump"
HOME_VOTING = "home_voting"
INCIDENT_BURST = "incident_burst"
GRAVE_INCIDENT = "grave_incident"
PROTOCOL_REFUSED = "protocol_refused"
PROTOCOL_INCONSISTENT = "protocol_inconsistent"
VIOLATION_REPORTED = "violation_reported"
CHECKLIST_FAILED = "checklist_failed"
# Alerts on what a monitor saw happen: the evidence may go quiet, but only a coordinator
# (the API's resolveAlert) closes them (AlertBook.step holds them open).
HELD = frozenset({GRAVE_INCIDENT, VIOLATION_REPORTED, CHECKLIST_FAILED})


def registered(state: StationState, info: StationInfo) -> int:
    """The register size: the registry's, else the final protocol's."""
    if info.registered_voters > 0:
        return info.registered_voters
    return state.protocol.protocol.registered_voters if state.protocol else 0


def pct(count: int, of: int) -> float:
    return 100.0 * count / of if of > 0 else 0.0


def _two_level(rule: TwoLevel, value: float, key: str, report_id: str) -> Condition | None:
    if value >= rule.critical:
        severity, threshold = Severity.CRITICAL, rule.critical
    elif value >= rule.warning:
        severity, threshold = Severity.WARNING, rule.warning
    else:
        return None
    text = AlertText(key, {"value": round(value, 1), "threshold": threshold})
    return Condition(severity, value, threshold, (text,), (report_id,))


def evaluate(
    state: StationState, info: StationInfo, cfg: RulesConfig, applied: ev.Report | None = None
) -> dict[str, Condition | None]:
    """Every enabled station rule, firing or clear. `applied`: the report just applied, if any
    (a late one can complete a turnout jump or a burst that lies behind the station's newest
    report)."""
    out: dict[str, Condition | None] = {}
    reg = registered(state, info)
    latest = state.latest_turnout()
    now = state.last_at or 0
    if cfg.abnormal_turnout.enabled:
        out[ABNORMAL_TURNOUT] = (
            _two_level(
                cfg.abnormal_turnout, pct(latest[1].ballots, reg), ABNORMAL_TURNOUT, latest[1].report_id
            )
            if latest and reg
            else None
        )
    if cfg.home_voting.enabled and cfg.home_voting.region is None:  # else judged per region
        out[HOME_VOTING] = (
            _two_level(cfg.home_voting, pct(latest[1].home, reg), HOME_VOTING, latest[1].report_id)
            if latest and reg
            else None
        )
    if cfg.turnout_jump.enabled:
        out[TURNOUT_JUMP] = _jump(state, reg, cfg, applied)
    if cfg.incident_burst.enabled:
        out[INCIDENT_BURST] = _burst(state, now, cfg, applied)
    if cfg.grave_incident.enabled:
        out[GRAVE_INCIDENT] = _grave(state, cfg)
    if cfg.violation_reported.enabled:
        out[VIOLATION_REPORTED] = _reported(state, cfg)
    if cfg.protocol_refused.enabled:
        out[PROTOCOL_REFUSED] = _refused(state)
    out[CHECKLIST_FAILED] = _checklist_failed(state, cfg)
    if cfg.protocol_inconsistent.enabled:
        out[PROTOCOL_INCONSISTENT] = _inconsistent(state)
    return out


def _jump(state: StationState, reg: int, cfg: RulesConfig, applied: ev.Report | None) -> Condition | None:
    if not reg or state.last_at is None:
        return None
    w = cfg.turnout_jump.window_minutes * 60
    times, ballots = state.turnout_series()
    found = _recent_rise(times, ballots, state.last_at, w, reg, cfg)
    late = _late_rise(state, applied, w) if applied is not None else None
    if late is not None and (found is None or late[0] > found[0]):
        found = late
    if found is None:
        return None
    rise_ballots, i, j = found
    rise = pct(rise_ballots, reg)
    if rise < cfg.turnout_jump.rise_pp:
        return None
    ids = (state.turnout[times[i]].report_id, state.turnout[times[j]].report_id)
    threshold = cfg.turnout_jump.rise_pp
    text = AlertText(
        TURNOUT_JUMP,
        {"rise": round(rise, 1), "window": cfg.turnout_jump.window_minutes, "threshold": threshold},
    )
    return Condition(Severity.CRITICAL, rise, threshold, (text,), ids)


def _recent_rise(
    times: list[int], ballots: list[int], now: int, w: float, reg: int, cfg: RulesConfig
) -> tuple[int, int, int] | None:
    """The largest rise ending in (now - w, now], as (ballots, i, j), or None."""
    # A rise ends in (now - w, now] and starts at most w earlier: older points cannot take part.
    start = bisect.bisect_right(times, now - 2 * w)
    # No rise can exceed the newest window's highest count minus the lowest since `start`: on
    # most reports that bound is already below the threshold, and the pass over the points
    # (the costliest step of a report) is skipped with the same outcome.
    ends = bisect.bisect_right(times, now - w, lo=start)
    if ends >= len(times) or pct(max(ballots[ends:]) - min(ballots[start:]), reg) < cfg.turnout_jump.rise_pp:
        return None
    rise, i, j = max_rise(times, ballots, now, w, start)
    return (int(rise), i, j) if i >= 0 else None


def _late_rise(state: StationState, applied: ev.Report, w: float) -> tuple[int, int, int] | None:
    """The largest rise the just-applied turnout point takes part in, when it lies so far behind
    the station's newest report that the recent window no longer sees it: a report delayed by a
    bad network (or a retry) can complete a jump after a later report already arrived. Only
    pairs with this point are new, so a rise judged before is never judged again."""
    at = epoch(applied.observed_at)
    point = state.turnout.get(at)
    if state.last_at is None or at > state.last_at - w or point is None or point.report_id != applied.id:
        return None  # in the recent window, or not a point of the series (lost its minute)
    times, ballots = state.turnout_series()
    k = bisect.bisect_left(times, at)
    best: tuple[int, int, int] | None = None
    lo = bisect.bisect_left(times, at - w)
    if lo < k:  # the point ends the rise: from the lowest before it (the latest such)
        i = min(range(lo, k), key=lambda n: (ballots[n], -n))
        best = (ballots[k] - ballots[i], i, k)
    hi = bisect.bisect_right(times, at + w)
    if k + 1 < hi:  # the point starts it: to the highest after it (the earliest such)
        j = max(range(k + 1, hi), key=lambda n: (ballots[n], -n))
        if best is None or ballots[j] - ballots[k] > best[0]:
            best = (ballots[j] - ballots[k], k, j)
    return best if best is not None and best[0] > 0 else None


def _burst(state: StationState, now: int, cfg: RulesConfig, applied: ev.Report | None) -> Condition | None:
    rule = cfg.incident_burst
    w = rule.window_minutes * 60
    times = [r.at for r in state.incidents]
    hits = in_window(times, now, w)
    if len(hits) < rule.count and applied is not None and isinstance(applied.body, ev.Incident):
        hits = max(hits, _windows_holding(times, epoch(applied.observed_at), w), key=len)
    if len(hits) < rule.count:
        return None
    ids = tuple(state.incidents[i].report_id for i in hits)
    text = AlertText(INCIDENT_BURST, {"count": len(hits), "window": rule.window_minutes})
    return Condition(
        Severity.WARNING, float(len(hits)), float(rule.count), (text,), ids, gathers_reports=True
    )


def _windows_holding(times: list[int], at: int, w: float) -> list[int]:
    """The fullest window (e - w, e] that holds the time `at`, e an incident time: a late incident
    can complete a burst that lies behind the station's newest report (the recent window is
    only the one ending at the newest)."""
    best: list[int] = []
    for end in sorted({t for t in times if at <= t < at + w}):
        hits = in_window(times, end, w)
        if len(hits) > len(best):
            best = hits
    return best


def _grave(state: StationState, cfg: RulesConfig) -> Condition | None:
    rule = cfg.grave_incident
    hits = [r for r in state.incidents if r.violation in rule.violations]
    if not hits:
        return None
    monitors = _monitors(hits)
    corroborated = any(len(m) >= 2 for m in monitors.values())
    confidence = rule.confidence_corroborated if corroborated else rule.confidence_single
    return Condition(
        Severity.CRITICAL,
        float(len(hits)),
        1.0,
        _reported_texts(GRAVE_INCIDENT, monitors),
        tuple(r.report_id for r in hits),
        confidence,
        gathers_reports=True,
    )


def _reported(state: StationState, cfg: RulesConfig) -> Condition | None:
    """Every violation type of `violation_reported` seen at the station: one alert, at the
    gravest severity among them; a second monitor reporting one of them raises confidence."""
    rule = cfg.violation_reported
    kinds = {v.value: sev for v, sev in rule.severities.items()}
    hits = [r for r in state.incidents if r.violation in kinds]
    if not hits:
        return None
    monitors = _monitors(hits)
    corroborated = any(len(m) >= 2 for m in monitors.values())
    return Condition(
        max((kinds[k] for k in monitors), key=lambda sev: sev.rank),
        float(len(monitors)),
        1.0,
        _reported_texts(VIOLATION_REPORTED, monitors),
        tuple(r.report_id for r in hits),
        rule.confidence_corroborated if corroborated else rule.confidence_single,
        gathers_reports=True,
    )


def _monitors(hits: list[IncidentRecord]) -> dict[str, set[str]]:
    """Violation type -> the monitors who reported it (a monitor repeating a report counts once)."""
    monitors: dict[str, set[str]] = {}
    for r in hits:
        monitors.setdefault(r.violation, set()).add(r.monitor_id)
    return monitors


def _reported_texts(rule: str, monitors: dict[str, set[str]]) -> tuple[AlertText, ...]:
    return tuple(
        AlertText(
            f"{rule}.corroborated" if len(monitors[kind]) >= 2 else f"{rule}.single", {"violation": kind}
        )
        for kind in sorted(monitors)
    )


def _checklist_failed(state: StationState, cfg: RulesConfig) -> Condition | None:
    """A critical question answered no in a phase's latest checklist (checklists.yaml)."""
    failed = [
        (phase, question, record.report_id)
        for phase, record in sorted(state.checklists.items())
        for question, answer in sorted(record.answers.items())
        if not answer and cfg.checklists.critical(phase, question)
    ]
    if not failed:
        return None
    texts = tuple(AlertText(CHECKLIST_FAILED, {"phase": p, "checklist": q}) for p, q, _ in failed)
    ids = tuple(sorted({rid for _, _, rid in failed}))
    return Condition(Severity.CRITICAL, float(len(failed)), 0.0, texts, ids, gathers_reports=True)


def _refused(state: StationState) -> Condition | None:
    refusals = [r for r in state.incidents if r.violation == ViolationType.PROTOCOL_REFUSED.value]
    proto = state.protocol
    if proto is not None and not proto.protocol.copy_received:
        return Condition(
            Severity.CRITICAL,
            1.0,
            1.0,
            (AlertText(f"{PROTOCOL_REFUSED}.copy"),),
            (proto.report_id,),
            gathers_reports=True,
        )
    if not refusals:
        return None
    last = refusals[-1]
    if proto is not None and proto.at >= last.at:
        return None  # a copy was received after the refusal
    return Condition(
        Severity.CRITICAL,
        float(len(refusals)),
        1.0,
        (AlertText(f"{PROTOCOL_REFUSED}.reported"),),
        tuple(r.report_id for r in refusals),
        gathers_reports=True,
    )


def _inconsistent(state: StationState) -> Condition | None:
    if state.protocol is None:
        return None
    found = problems(state.protocol.protocol)
    if not found:
        return None
    return Condition(Severity.CRITICAL, float(len(found)), 0.0, found, (state.protocol.report_id,))
