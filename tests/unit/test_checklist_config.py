"""The checklists file: questions per phase with a text in every language, one source for all."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.aggregator.domain.rule_config import RulesConfig, profiles
from services.common import catalog
from services.common.checklist_config import CHECKLISTS_FILE, load_checklists, parse_checklists
from services.common.contracts.events import CHECKLIST_ITEMS, ChecklistPhase
from services.common.infra.errors import SettingsError

CONFIG = load_checklists()


def test_every_phase_asks_questions_that_are_checklist_items_with_a_text_in_every_language() -> None:
    assert [len(CONFIG.of(phase)) for phase in ChecklistPhase] == [4, 5, 3]
    for q in CONFIG.questions:
        assert q.id in CHECKLIST_ITEMS
        for lang in catalog.Lang:
            assert catalog.table(lang)["checklist"][q.id].strip(), (lang, q.id)


def test_critical_questions_are_the_ones_the_network_escalates() -> None:
    critical = {q.key for q in CONFIG.questions if q.critical}
    assert critical == {
        "readiness.station_ready",
        "opening.monitor_allowed_to_observe", "opening.ballot_boxes_sealed",
        "opening.clear_view_of_ballot_box", "opening.voting_booths_private",
        "closing.monitor_allowed_to_observe", "closing.clear_view_of_ballot_box",
        "closing.unused_ballots_cancelled",
    }  # fmt: skip
    assert CONFIG.critical("opening", "ballot_boxes_sealed")
    assert not CONFIG.critical("readiness", "ballot_boxes_sealed")
    assert RulesConfig().checklists == CONFIG


def test_the_checklists_file_is_not_a_rules_profile() -> None:
    assert CHECKLISTS_FILE.parent.name == "rules"
    assert CHECKLISTS_FILE.stem not in profiles()


def test_a_question_asked_twice_in_a_phase_or_an_unknown_phase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"asked twice in a phase: opening\.station_ready"):
        parse_checklists({"phases": {"opening": [{"id": "station_ready"}, {"id": "station_ready"}]}})
    bad = tmp_path / "checklists.yaml"
    bad.write_text("phases:\n  lunch:\n    - {id: station_ready}\n")
    with pytest.raises(SettingsError, match=r"(?s)checklists\.yaml.*phase.*lunch"):
        load_checklists(bad)
