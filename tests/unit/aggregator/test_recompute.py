"""A station recomputed without the reports a coordinator rejected (domain/recompute.py), and
its reports read back from PostgreSQL rows as the sink wrote them (report_rows.py)."""

from __future__ import annotations

import orjson

from services.aggregator.domain.recompute import recompute
from services.aggregator.domain.station_rules import GRAVE_INCIDENT, evaluate
from services.aggregator.domain.station_state import Applied
from services.aggregator.domain.station_view import at, station_stats
from services.aggregator.report_rows import report_from_row
from services.common.contracts import events as ev
from tests.support import factories as f
from tests.unit.aggregator.helpers import CFG, DEDUP_S, INFO, incident, protocol, state_of, turnout

DAY = [
    turnout(50, 60, "t1", home=5),
    turnout(120, 120, "t2", home=9),
    incident(ev.ViolationType.BALLOT_STUFFING, 130, "i1"),
    turnout(900, 180, "t3", home=12),  # the figure a coordinator rejects
    protocol(720, "p1"),
]


def test_a_rejected_report_leaves_the_figures_and_the_clock_stays() -> None:
    before = state_of(*DAY)
    after = recompute(before, [r for r in DAY if r.id != "t3"], DEDUP_S)
    stats = station_stats(after, INFO, CFG)
    assert stats.ballots_issued == 120
    assert stats.home_voting_applications == 9
    assert stats.reports_processed == 4
    assert stats.incidents_total == {"BALLOT_STUFFING": 1}
    assert stats.updated_at == station_stats(before, INFO, CFG).updated_at
    # Kafka delivering it again (a replayed batch) does not bring it back.
    assert after.apply(DAY[3], DEDUP_S) is Applied.DUPLICATE
    assert station_stats(after, INFO, CFG).ballots_issued == 120


def test_un_rejecting_brings_it_back_and_the_result_equals_applying_all() -> None:
    rejected = recompute(state_of(*DAY), [r for r in DAY if r.id != "t3"], DEDUP_S)
    again = recompute(rejected, DAY, DEDUP_S)
    assert station_stats(again, INFO, CFG) == station_stats(state_of(*DAY), INFO, CFG)


def test_a_rejected_newest_report_keeps_the_station_time() -> None:
    before = state_of(*DAY[:4])
    after = recompute(before, DAY[:3], DEDUP_S)
    assert after.last_at == before.last_at
    assert station_stats(after, INFO, CFG).ballots_issued == 120


def test_rejecting_the_only_grave_incident_clears_its_condition() -> None:
    before = state_of(*DAY)
    assert evaluate(before, INFO, CFG)[GRAVE_INCIDENT] is not None
    after = recompute(before, [r for r in DAY if r.id != "i1"], DEDUP_S)
    assert evaluate(after, INFO, CFG)[GRAVE_INCIDENT] is None
    assert station_stats(after, INFO, CFG).incidents_total == {}


def test_the_alert_book_is_kept_and_steps_from_where_it_was() -> None:
    before = state_of(*DAY)
    assert before.last_at is not None
    opened = before.alerts.step("ALA-0001", "ALA", evaluate(before, INFO, CFG), at(before.last_at))
    assert GRAVE_INCIDENT in {a.rule for a in opened}
    after = recompute(before, [r for r in DAY if r.id != "i1"], DEDUP_S)
    assert after.alerts is before.alerts
    assert after.last_at is not None
    moved = after.alerts.step("ALA-0001", "ALA", evaluate(after, INFO, CFG), at(after.last_at))
    grave = [a for a in moved if a.rule == GRAVE_INCIDENT]
    assert [a.state for a in grave] == [ev.AlertState.RESOLVED]


def test_reports_of_another_station_are_ignored() -> None:
    other = turnout(999, 200, "x1", station="ALA-0002")
    after = recompute(state_of(*DAY), [*DAY, other], DEDUP_S)
    assert station_stats(after, INFO, CFG).ballots_issued == 900


def _row(r: ev.Report) -> dict[str, object]:
    """A `reports` row as PostgreSQL returns it (body: jsonb text, as orjson wrote it)."""
    return {
        "id": r.id,
        "station_id": r.station_id,
        "monitor_id": r.monitor_id,
        "channel": r.channel.value,
        "kind": r.kind.value,
        "observed_at": r.observed_at,
        "received_at": r.received_at,
        "flags": sorted(r.flags),
        "body": orjson.dumps(r.body).decode(),
    }


def test_every_kind_of_report_reads_back_from_its_row() -> None:
    reports = [
        f.report(
            ev.Checklist(ev.ChecklistPhase.OPENING, {"ballot_box_sealed": False, "station_ready": True}, "n"),
            id="c1",
        ),
        f.turnout(300, 7, id="t1", flags=frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})),
        f.report(
            ev.Incident(ev.ViolationType.CAROUSEL_VOTING, "bus", ("https://x/1",), ("ab" * 32,)), id="i1"
        ),
        f.report(f.protocol(home_ballots_issued=12, evidence_ids=("cd" * 32,)), id="p1"),
    ]
    assert [report_from_row(_row(r)) for r in reports] == reports
