"""Findings from station counts: every type and question listed, shares of observed stations."""

from __future__ import annotations

from services.api.findings import combine, figures, share
from services.api.repository.findings import RegionCounts
from services.common.checklist_config import load_checklists
from services.common.contracts.events import ViolationType

QUESTIONS = load_checklists()


def test_shares_are_of_observed_stations_and_zero_before_any() -> None:
    r1 = RegionCounts(8, 4, {"FAMILY_VOTING": (1, 1)}, {"opening.ballot_boxes_sealed": (4, 3)})
    r2 = RegionCounts(2, 0)
    found = figures("R1", r1, QUESTIONS)
    assert [v.violation for v in found.violations] == list(ViolationType)
    family = next(v for v in found.violations if v.violation is ViolationType.FAMILY_VOTING)
    assert (family.stations, family.corroborated, family.share) == (1, 1, 0.25)
    sealed = next(q for q in found.checklist if q.phase == "opening" and q.question == "ballot_boxes_sealed")
    assert (sealed.critical, sealed.answered, sealed.answered_no, sealed.share_no) == (True, 4, 3, 0.75)
    assert len(found.checklist) == len(QUESTIONS.questions)
    assert all(v.share == 0.0 for v in figures("R2", r2, QUESTIONS).violations)
    both = combine([r1, r2, RegionCounts(2, 2, {"FAMILY_VOTING": (1, 0)})])
    assert (both.stations, both.observed, both.violations) == (12, 6, {"FAMILY_VOTING": (2, 1)})
    assert share(1, 3) == 0.3333
