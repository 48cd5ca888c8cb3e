from datetime import timedelta

from services.aggregator.domain.alerts import RESOLVED_BY_ITSELF, AlertBook, Condition, alert_id
from services.common.contracts.events import AlertState, AlertText, AlertTransition, Severity
from tests.unit.aggregator.helpers import T0


def turnout_text(value: float, threshold: float) -> tuple[AlertText, ...]:
    return (AlertText("abnormal_turnout", {"value": value, "threshold": threshold}),)


WARN = Condition(Severity.WARNING, 91.0, 90.0, turnout_text(91.0, 90), ("t1",))
CRIT = Condition(Severity.CRITICAL, 99.5, 99.0, turnout_text(99.5, 99), ("t2",))


def test_lifecycle_opened_updated_resolved_and_reopened_with_a_new_id() -> None:
    book = AlertBook()
    opened = book.step("S1", "R", {"abnormal_turnout": WARN}, T0)
    assert [(a.id, a.transition, a.version) for a in opened] == [
        ("abnormal_turnout:S1", AlertTransition.OPENED, 1)
    ]
    assert book.step("S1", "R", {"abnormal_turnout": WARN}, T0 + timedelta(minutes=5)) == []
    updated = book.step("S1", "R", {"abnormal_turnout": CRIT}, T0 + timedelta(minutes=10))
    assert updated[0].transition is AlertTransition.UPDATED
    assert updated[0].severity is Severity.CRITICAL
    assert updated[0].version == 2
    assert updated[0].opened_at == T0
    resolved = book.step("S1", "R", {"abnormal_turnout": None}, T0 + timedelta(minutes=20))
    assert resolved[0].state is AlertState.RESOLVED
    assert resolved[0].resolved_at == T0 + timedelta(minutes=20)
    assert resolved[0].version == 3
    assert book.count_open() == 0
    again = book.step("S1", "R", {"abnormal_turnout": WARN}, T0 + timedelta(minutes=30))
    assert again[0].id == "abnormal_turnout:S1:2"


def test_value_rules_do_not_update_on_new_reports_but_incident_rules_do() -> None:
    book = AlertBook()
    book.step("S1", "R", {"a": WARN}, T0)
    assert (
        book.step(
            "S1", "R", {"a": Condition(Severity.WARNING, 92.0, 90.0, turnout_text(92.0, 90), ("t9",))}, T0
        )
        == []
    )
    burst = Condition(Severity.WARNING, 3, 3, (), ("i1", "i2", "i3"), gathers_reports=True)
    book.step("S1", "R", {"b": burst}, T0)
    more = Condition(Severity.WARNING, 4, 3, (), ("i1", "i2", "i3", "i4"), gathers_reports=True)
    assert [a.report_ids for a in book.step("S1", "R", {"b": more}, T0)] == [("i1", "i2", "i3", "i4")]


def test_rules_not_evaluated_are_left_alone() -> None:
    book = AlertBook()
    book.step("S1", "R", {"a": WARN}, T0)
    assert book.step("S1", "R", {"b": None}, T0) == []
    assert book.count_open() == 1


def test_alert_id() -> None:
    assert alert_id("turnout_jump", "ALA-0042", 1) == "turnout_jump:ALA-0042"
    assert alert_id("turnout_jump", "ALA-0042", 3) == "turnout_jump:ALA-0042:3"


def test_an_alert_carries_its_texts_and_their_english_message_also_once_cleared() -> None:
    book = AlertBook()
    opened = book.step("S1", "R", {"abnormal_turnout": WARN}, T0)[0]
    assert opened.texts == turnout_text(91.0, 90)
    assert opened.message == "Turnout 91%, at or above 90%"
    updated = book.step("S1", "R", {"abnormal_turnout": CRIT}, T0 + timedelta(minutes=1))[0]
    assert (updated.texts, updated.message) == (turnout_text(99.5, 99), "Turnout 99.5%, at or above 99%")
    resolved = book.step("S1", "R", {"abnormal_turnout": None}, T0 + timedelta(minutes=2))[0]
    assert resolved.texts == (
        *turnout_text(99.5, 99),
        AlertText(RESOLVED_BY_ITSELF, {"rule": "abnormal_turnout"}),
    )
    assert resolved.message == (
        "Cleared: Turnout 99.5%, at or above 99%; "
        "resolved without a decision: the condition of “Abnormal turnout” no longer holds"
    )


def test_a_held_rule_stays_open_when_its_evidence_goes_quiet_another_resolves_with_its_reason() -> None:
    book = AlertBook()
    cond = Condition(Severity.CRITICAL, 1.0, 1.0, (AlertText("grave_incident.single", {"violation": "x"}),))
    book.step("S", "R", {"grave_incident": cond, "turnout_jump": cond}, T0, frozenset({"grave_incident"}))
    moved = book.step(
        "S", "R", {"grave_incident": None, "turnout_jump": None}, T0, frozenset({"grave_incident"})
    )
    assert [(a.rule, a.transition) for a in moved] == [("turnout_jump", AlertTransition.RESOLVED)]
    assert set(book.open) == {"grave_incident"}
    assert moved[0].texts[-1] == AlertText(RESOLVED_BY_ITSELF, {"rule": "turnout_jump"})
    assert moved[0].message == (
        "Cleared: x reported by one monitor; resolved without a decision: "
        "the condition of “Turnout jump” no longer holds"
    )
