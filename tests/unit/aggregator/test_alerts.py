from datetime import timedelta

from services.aggregator.domain.alerts import AlertBook, Condition, alert_id
from services.common.events import AlertState, AlertTransition, Severity
from tests.unit.aggregator.helpers import T0

WARN = Condition(Severity.WARNING, 91.0, 90.0, "turnout 91%", ("t1",))
CRIT = Condition(Severity.CRITICAL, 99.5, 99.0, "turnout 99.5%", ("t2",))


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
    assert book.step("S1", "R", {"a": Condition(Severity.WARNING, 92.0, 90.0, "x", ("t9",))}, T0) == []
    burst = Condition(Severity.WARNING, 3, 3, "3", ("i1", "i2", "i3"), gathers_reports=True)
    book.step("S1", "R", {"b": burst}, T0)
    more = Condition(Severity.WARNING, 4, 3, "4", ("i1", "i2", "i3", "i4"), gathers_reports=True)
    assert [a.report_ids for a in book.step("S1", "R", {"b": more}, T0)] == [("i1", "i2", "i3", "i4")]


def test_rules_not_evaluated_are_left_alone() -> None:
    book = AlertBook()
    book.step("S1", "R", {"a": WARN}, T0)
    assert book.step("S1", "R", {"b": None}, T0) == []
    assert book.count_open() == 1


def test_alert_id() -> None:
    assert alert_id("turnout_jump", "ALA-0042", 1) == "turnout_jump:ALA-0042"
    assert alert_id("turnout_jump", "ALA-0042", 3) == "turnout_jump:ALA-0042:3"
