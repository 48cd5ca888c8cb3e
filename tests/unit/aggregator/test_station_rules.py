import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_state import Applied, StationInfo, StationState
from services.common.contracts import events as ev
from services.common.contracts.events import AlertText, Severity
from tests.support import factories as f
from tests.unit.aggregator.helpers import CFG, DEDUP_S, INFO, incident, protocol, state_of, turnout

V = ev.ViolationType


@pytest.mark.parametrize(
    ("ballots", "severity", "threshold"),
    [
        (899, None, None),
        (900, Severity.WARNING, 90.0),
        (989, Severity.WARNING, 90.0),
        (990, Severity.CRITICAL, 99.0),
        (1200, Severity.CRITICAL, 99.0),
    ],
)
def test_abnormal_turnout_edges(ballots: int, severity: Severity | None, threshold: float | None) -> None:
    cond = evaluate(state_of(turnout(ballots, 600, "t")), INFO, CFG)["abnormal_turnout"]
    assert (cond.severity if cond else None) == severity
    assert (cond.threshold if cond else None) == threshold


def test_home_voting_edges() -> None:
    def sev(home: int) -> Severity | None:
        c = evaluate(state_of(turnout(100, 60, "t", home=home)), INFO, CFG)["home_voting"]
        return c.severity if c else None

    assert [sev(49), sev(50), sev(149), sev(150)] == [
        None,
        Severity.WARNING,
        Severity.WARNING,
        Severity.CRITICAL,
    ]


def test_turnout_jump_fires_within_60_minutes_and_clears_later() -> None:
    s = state_of(turnout(100, 60, "a"), turnout(250, 120, "b"))  # +15 pp in exactly 60 min
    cond = evaluate(s, INFO, CFG)["turnout_jump"]
    assert cond is not None
    assert cond.severity is Severity.CRITICAL
    assert cond.value == pytest.approx(15.0)
    assert cond.report_ids == ("a", "b")
    assert cond.texts == (AlertText("turnout_jump", {"rise": 15.0, "window": 60.0, "threshold": 15.0}),)
    s = state_of(turnout(100, 60, "a"), turnout(250, 121, "b"))  # 61 min
    assert evaluate(s, INFO, CFG)["turnout_jump"] is None
    s = state_of(turnout(100, 60, "a"), turnout(250, 120, "b"), turnout(260, 181, "c"))
    assert evaluate(s, INFO, CFG)["turnout_jump"] is None  # the rise left the window


def test_turnout_jump_with_a_reordered_report() -> None:
    s = state_of(turnout(260, 180, "c"), turnout(100, 130, "a"))
    assert evaluate(s, INFO, CFG)["turnout_jump"] is not None


def turnout_points(max_size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    """(minute, cumulative ballots) of a station's turnout reports, one per minute."""
    return st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 1000)),
        min_size=1,
        max_size=max_size,
        unique_by=lambda p: p[0],
    )


def shuffled_turnouts(points: list[tuple[int, int]], rng: random.Random) -> list[ev.Report]:
    reports = [turnout(b, m, f"r{m}") for m, b in points]
    rng.shuffle(reports)
    return reports


@given(turnout_points(max_size=40), st.randoms(use_true_random=False))
def test_turnout_jump_agrees_with_the_pairwise_definition_in_any_order(
    points: list[tuple[int, int]], rng: random.Random
) -> None:
    """The rule's shortcuts (a bound that skips the pass, a start index) change no outcome."""
    reports = shuffled_turnouts(points, rng)
    cond = evaluate(state_of(*reports), INFO, CFG)["turnout_jump"]
    now, w = max(m for m, _ in points), CFG.turnout_jump.window_minutes
    ordered = sorted(points)
    best = (0.0, "", "")
    for j, (tj, bj) in enumerate(ordered):
        if not now - w < tj <= now:
            continue
        for ti, bi in reversed(ordered[:j]):
            if tj - ti > w:
                break
            if 100.0 * (bj - bi) / INFO.registered_voters > best[0]:
                best = (100.0 * (bj - bi) / INFO.registered_voters, f"r{ti}", f"r{tj}")
    if best[0] < CFG.turnout_jump.rise_pp:
        assert cond is None
    else:
        assert cond is not None
        assert cond.value == pytest.approx(best[0])
        assert cond.report_ids == best[1:]


def seen(rule: str, reports: list[ev.Report]) -> list[tuple[str, ...]]:
    """Applies `reports` in this order, evaluating after each as the agent does; the report
    ids of every condition of `rule` seen."""
    s = StationState("ALA-0001")
    out = []
    for r in reports:
        if s.apply(r, DEDUP_S) is Applied.NEW:
            cond = evaluate(s, INFO, CFG, r)[rule]
            if cond is not None:
                out.append(cond.report_ids)
    return out


def jumps_seen(reports: list[ev.Report]) -> list[tuple[str, ...]]:
    return seen("turnout_jump", reports)


def test_a_late_report_that_ends_a_jump_fires_it_once_and_the_next_report_clears_it() -> None:
    # 17:00 -> 18:00 is +20 pp; the 18:00 report arrives after 19:00's (a delayed SMS, a retry).
    on_time = [turnout(100, 0, "t17"), turnout(320, 120, "t19")]
    late = turnout(300, 60, "t18")
    assert jumps_seen([*on_time, late]) == [("t17", "t18")]
    assert jumps_seen([*on_time, late, turnout(330, 180, "t20")]) == [("t17", "t18")]
    s = state_of(*on_time, late)
    assert evaluate(s, INFO, CFG)["turnout_jump"] is None  # without it, only the recent window


def test_a_late_report_that_starts_a_jump_fires_it() -> None:
    # 16:00 -> 18:00 rises 30 pp over 2 h (no jump) until the late 17:10 point shows +29 pp in 50 min.
    reports = [turnout(100, 0, "a"), turnout(400, 120, "c"), turnout(410, 210, "d"), turnout(110, 70, "b")]
    assert jumps_seen(reports) == [("b", "c")]


def test_a_late_report_that_loses_its_minute_judges_nothing_again() -> None:
    first = [turnout(100, 0, "a"), turnout(300, 60, "b")]
    assert jumps_seen([*first, turnout(320, 200, "c")]) == [("a", "b")]
    # A smaller count for 18:00 under another id: the point keeps "b"'s count, no new rise.
    assert jumps_seen([*first, turnout(320, 200, "c"), turnout(250, 60, "b2")]) == [("a", "b")]


@given(turnout_points(max_size=30), st.randoms(use_true_random=False))
def test_every_jump_is_seen_whatever_the_arrival_order(
    points: list[tuple[int, int]], rng: random.Random
) -> None:
    """A rise of the threshold within the window between any two reports is judged when the
    second of them arrives, in whichever order they come (cumulative counts: any order)."""
    reports = shuffled_turnouts(points, rng)
    w, threshold = CFG.turnout_jump.window_minutes, CFG.turnout_jump.rise_pp
    exists = any(
        0 < tj - ti <= w and 100.0 * (bj - bi) / INFO.registered_voters >= threshold
        for ti, bi in points
        for tj, bj in points
    )
    assert bool(jumps_seen(reports)) == exists


def test_incident_burst_window() -> None:
    three = [incident(V.OTHER, m, f"i{m}") for m in (0, 10, 29)]
    cond = evaluate(state_of(*three), INFO, CFG)["incident_burst"]
    assert cond is not None
    assert cond.value == 3
    assert cond.texts == (AlertText("incident_burst", {"count": 3, "window": 30.0}),)
    spread = [incident(V.OTHER, m, f"i{m}") for m in (0, 10, 30)]  # 30 min apart: first falls out
    assert evaluate(state_of(*spread), INFO, CFG)["incident_burst"] is None


def bursts_seen(reports: list[ev.Report]) -> list[tuple[str, ...]]:
    return seen("incident_burst", reports)


def test_a_late_incident_that_completes_a_burst_fires_it() -> None:
    # 10:00, 10:10 and 10:20; the 10:10 one arrives after a 10:45 turnout report.
    reports = [incident(V.OTHER, 0, "i0"), incident(V.OTHER, 20, "i20"), turnout(10, 45, "t")]
    assert bursts_seen([*reports, incident(V.OTHER, 10, "i10")]) == [("i0", "i10", "i20")]
    assert evaluate(state_of(*reports, incident(V.OTHER, 10, "i10")), INFO, CFG)["incident_burst"] is None


@given(
    st.lists(st.integers(0, 200), min_size=1, max_size=12),
    st.lists(st.integers(0, 300), max_size=6),
    st.randoms(use_true_random=False),
)
def test_every_burst_is_seen_whatever_the_arrival_order(
    incidents: list[int], turnouts: list[int], rng: random.Random
) -> None:
    """Three incidents within 30 min are judged when the last of them arrives, whatever came
    in between (later reports of any kind move the station's clock on)."""
    reports = [incident(V.OTHER, m, f"i{n}") for n, m in enumerate(incidents)]
    reports += [turnout(10, m, f"t{n}") for n, m in enumerate(turnouts)]
    rng.shuffle(reports)
    w, count = CFG.incident_burst.window_minutes, CFG.incident_burst.count
    exists = any(sum(end - w < m <= end for m in incidents) >= count for end in incidents)
    assert bool(bursts_seen(reports)) == exists


def test_grave_incident_is_critical_at_once_and_corroboration_raises_confidence() -> None:
    one = evaluate(state_of(incident(V.BALLOT_STUFFING, 0, "g1", "m1")), INFO, CFG)["grave_incident"]
    assert one is not None
    assert one.severity is Severity.CRITICAL
    assert one.confidence == 0.6
    assert one.texts == (AlertText("grave_incident.single", {"violation": "ballot_stuffing"}),)
    assert one.message == "Ballot stuffing reported by one monitor"
    two = evaluate(
        state_of(incident(V.BALLOT_STUFFING, 0, "g1", "m1"), incident(V.BALLOT_STUFFING, 5, "g2", "m2")),
        INFO,
        CFG,
    )["grave_incident"]
    assert two is not None
    assert two.confidence == 0.95
    assert two.texts == (AlertText("grave_incident.corroborated", {"violation": "ballot_stuffing"}),)
    same_monitor = evaluate(
        state_of(incident(V.CAROUSEL_VOTING, 0, "g1", "m1"), incident(V.CAROUSEL_VOTING, 5, "g2", "m1")),
        INFO,
        CFG,
    )["grave_incident"]
    assert same_monitor is not None
    assert same_monitor.confidence == 0.6
    later = state_of(incident(V.BALLOT_STUFFING, 0, "g1"), turnout(10, 600, "t"))
    assert evaluate(later, INFO, CFG)["grave_incident"] is not None  # 10 h later: still evidence


def test_a_grave_incident_arriving_hours_late_fires_at_once_and_stays() -> None:
    # 11:00 ballot stuffing, reported only after the station's 15:00 turnout report (4 h later).
    on_time = [turnout(100, 0, "t11"), turnout(300, 240, "t15")]
    late = incident(V.BALLOT_STUFFING, 0, "g", "m1")
    assert seen("grave_incident", [*on_time, late]) == [("g",)]
    assert seen("grave_incident", [*on_time, late, turnout(310, 250, "t")]) == [("g",), ("g",)]
    # A second monitor's late report of it: corroborated, with both reports behind it.
    second = incident(V.BALLOT_STUFFING, 20, "g2", "m2")
    s = StationState("ALA-0001")
    for r in [*on_time, late, second]:
        s.apply(r, DEDUP_S)
    cond = evaluate(s, INFO, CFG, second)["grave_incident"]
    assert cond is not None
    assert cond.report_ids == ("g", "g2")
    assert cond.confidence == CFG.grave_incident.confidence_corroborated
    # A late report of another kind changes nothing.
    assert seen("grave_incident", [*on_time, incident(V.OTHER, 0, "o")]) == []


@given(st.lists(st.integers(0, 600), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_every_grave_incident_is_seen_whatever_the_arrival_order(
    turnouts: list[int], rng: random.Random
) -> None:
    reports = [turnout(10, m, f"t{n}") for n, m in enumerate(turnouts)]
    reports.append(incident(V.CAROUSEL_VOTING, rng.randint(0, 600), "g"))
    rng.shuffle(reports)
    assert ("g",) in seen("grave_incident", reports)


def test_protocol_refused_and_later_received() -> None:
    refused = state_of(incident(V.PROTOCOL_REFUSED, 700, "r1"))
    assert evaluate(refused, INFO, CFG)["protocol_refused"] is not None
    received = state_of(incident(V.PROTOCOL_REFUSED, 700, "r1"), protocol(710, "p1"))
    assert evaluate(received, INFO, CFG)["protocol_refused"] is None
    no_copy = state_of(protocol(710, "p1", copy_received=False))
    assert evaluate(no_copy, INFO, CFG)["protocol_refused"] is not None


@pytest.mark.parametrize(
    ("overrides", "problem", "english"),
    [
        (
            {"ballots_cast": 641},
            AlertText("protocol_inconsistent.cast_exceeds_issued", {"cast": 641, "issued": 640}),
            "Ballots in the boxes (641) exceed ballots issued (640)",
        ),
        (
            {"invalid_ballots": 9},
            AlertText(
                "protocol_inconsistent.valid_invalid_mismatch", {"valid": 630, "invalid": 9, "cast": 638}
            ),
            "Valid (630) plus invalid (9) ballots differ from ballots in the boxes (638)",
        ),
        (
            {"votes": {"P01": 400, "P02": 231}},
            AlertText("protocol_inconsistent.votes_mismatch", {"votes": 631, "valid": 630}),
            "Votes add up to 631, not to the 630 valid ballots",
        ),
    ],
)
def test_protocol_inconsistent(overrides: dict[str, object], problem: AlertText, english: str) -> None:
    cond = evaluate(state_of(protocol(720, "p1", **overrides)), INFO, CFG)["protocol_inconsistent"]
    assert cond is not None
    assert problem in cond.texts
    assert english in cond.message.split("; ")
    assert cond.severity is Severity.CRITICAL
    assert evaluate(state_of(protocol(720, "p1")), INFO, CFG)["protocol_inconsistent"] is None


def test_a_corrected_protocol_clears_the_inconsistency() -> None:
    s = state_of(protocol(720, "p1", ballots_cast=700), protocol(730, "p2"))
    assert evaluate(s, INFO, CFG)["protocol_inconsistent"] is None


def test_disabled_rules_and_unknown_register() -> None:
    cfg = RulesConfig.model_validate({"abnormal_turnout": {"enabled": False, "warning": 90, "critical": 99}})
    assert "abnormal_turnout" not in evaluate(state_of(turnout(990, 60, "t")), INFO, cfg)
    assert evaluate(state_of(turnout(990, 60, "t")), StationInfo("ALA", 0), CFG)["abnormal_turnout"] is None


@pytest.mark.parametrize(
    ("violation", "severity"),
    [
        (V.FAMILY_VOTING, Severity.WARNING),
        (V.MONITOR_RESTRICTED, Severity.CRITICAL),
        (V.NO_CLEAR_VIEW, Severity.WARNING),
        (V.BALLOT_SECRECY, Severity.WARNING),
        (V.HOME_VOTING_ABUSE, Severity.WARNING),
        (V.ABNORMAL_TURNOUT, Severity.WARNING),
    ],
)
def test_one_report_of_any_other_violation_alerts_with_its_severity(violation: V, severity: Severity) -> None:
    cond = evaluate(state_of(incident(violation, 0, "v1", "m1")), INFO, CFG)["violation_reported"]
    assert cond is not None
    assert (cond.severity, cond.confidence, cond.report_ids) == (severity, 0.6, ("v1",))
    assert cond.texts == (AlertText("violation_reported.single", {"violation": violation.value}),)


def test_a_second_monitor_raises_confidence_a_repeat_does_not_and_the_gravest_type_sets_severity() -> None:
    repeated = state_of(*(incident(V.FAMILY_VOTING, m, f"f{m}", "m1") for m in (0, 5, 10)))
    cond = evaluate(repeated, INFO, CFG)["violation_reported"]
    assert cond is not None
    assert (cond.confidence, cond.value) == (0.6, 1.0)
    both = state_of(
        incident(V.FAMILY_VOTING, 0, "f1", "m1"),
        incident(V.FAMILY_VOTING, 5, "f2", "m2"),
        incident(V.MONITOR_RESTRICTED, 6, "r1", "m1"),
    )
    cond = evaluate(both, INFO, CFG)["violation_reported"]
    assert cond is not None
    assert (cond.severity, cond.confidence, cond.value) == (Severity.CRITICAL, 0.95, 2.0)
    assert cond.texts == (
        AlertText("violation_reported.corroborated", {"violation": "family_voting"}),
        AlertText("violation_reported.single", {"violation": "monitor_restricted"}),
    )


def test_every_violation_type_but_other_has_exactly_one_rule() -> None:
    grave = set(CFG.grave_incident.violations)
    reported = {v.value for v in CFG.violation_reported.severities}
    covered = [*grave, *reported, V.PROTOCOL_REFUSED.value]
    assert sorted(covered) == sorted(v.value for v in V if v is not V.OTHER)


def checklist(phase: ev.ChecklistPhase, minutes: float, id: str, **answers: bool) -> ev.Report:
    return f.report(ev.Checklist(phase, answers), id=id, minutes=minutes)


def test_a_critical_no_in_a_phases_latest_checklist_fails_the_station_a_plain_no_does_not() -> None:
    phase = ev.ChecklistPhase
    plain = state_of(checklist(phase.OPENING, 0, "c1", voter_list_available=False, ballot_boxes_sealed=True))
    assert evaluate(plain, INFO, CFG)["checklist_failed"] is None
    s = state_of(
        checklist(phase.READINESS, -600, "r1", station_ready=False),
        checklist(phase.OPENING, 0, "c2", ballot_boxes_sealed=False, clear_view_of_ballot_box=False),
        checklist(phase.OPENING, -5, "c1", ballot_boxes_sealed=True),  # older: the latest stands
    )
    cond = evaluate(s, INFO, CFG)["checklist_failed"]
    assert cond is not None
    assert (cond.severity, cond.report_ids) == (Severity.CRITICAL, ("c2", "r1"))
    assert [(t.params["phase"], t.params["checklist"]) for t in cond.texts] == [
        ("opening", "ballot_boxes_sealed"),
        ("opening", "clear_view_of_ballot_box"),
        ("readiness", "station_ready"),
    ]
    assert cond.message == (
        "Opening checklist: “Ballot boxes sealed” answered no; "
        "Opening checklist: “Clear view of the ballot box” answered no; "
        "Eve of election day checklist: “Station ready to open” answered no"
    )
