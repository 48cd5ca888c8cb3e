"""The message catalog: every code pollwatch shows has a text in every language, the languages
agree on keys and placeholders, and texts render as the dashboard renders them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from services.aggregator.domain import region_rules, station_rules
from services.aggregator.domain.protocol_check import PREFIX as PROTOCOL_PREFIX
from services.aggregator.domain.rule_config import DEFAULT_RULES_FILE, RulesConfig
from services.aggregator.forensics_alert import RULE as INTEGER_EXCESS
from services.api.types.enums import VerificationState
from services.common import catalog
from services.common.catalog import Lang
from services.common.contracts.events import CHECKLIST_ITEMS, AlertText, ChecklistPhase, ViolationType

EXAMPLES = json.loads((Path(catalog.__file__).parent / "examples.json").read_text("utf-8"))["examples"]
# rules.yaml's sections that are settings, not rules.
NOT_RULES = {"polls", "windows", "checklists"}


def rules() -> set[str]:
    in_file = set(yaml.safe_load(DEFAULT_RULES_FILE.read_text())) - NOT_RULES
    in_model = set(RulesConfig.model_fields) - NOT_RULES
    # The checklists file's rules: a critical "no" at a station, a question failing in a region.
    checklists = {station_rules.CHECKLIST_FAILED, region_rules.CHECKLIST_REGION}
    return in_file | in_model | checklists | {INTEGER_EXCESS}


def test_the_rules_are_the_ones_the_aggregator_raises() -> None:
    raised = {
        station_rules.ABNORMAL_TURNOUT, station_rules.TURNOUT_JUMP, station_rules.HOME_VOTING,
        station_rules.INCIDENT_BURST, station_rules.GRAVE_INCIDENT, station_rules.PROTOCOL_REFUSED,
        station_rules.PROTOCOL_INCONSISTENT, region_rules.SILENT_STATION, region_rules.TURNOUT_OUTLIER,
        station_rules.VIOLATION_REPORTED, region_rules.MONITOR_ABSENT, station_rules.CHECKLIST_FAILED,
        region_rules.CHECKLIST_REGION, INTEGER_EXCESS,
    }  # fmt: skip
    assert rules() == raised


@pytest.mark.parametrize("lang", list(Lang))
def test_every_rule_violation_checklist_item_and_phase_has_a_text(lang: Lang) -> None:
    table = catalog.table(lang)
    wanted = {
        "rule": rules(),
        "violation": {v.value for v in ViolationType},
        "checklist": set(CHECKLIST_ITEMS),
        "phase": {p.value for p in ChecklistPhase},
        "verification": {v.value for v in VerificationState},
    }
    for section, codes in wanted.items():
        missing = {c for c in codes if not table[section].get(c, "").strip()}
        assert not missing, f"{lang}: no {section} text for {sorted(missing)}"
    # Every rule has an alert text: its own key, or variants "<rule>.<case>".
    alerts = set(table["alert"])
    for rule in rules():
        assert rule in alerts or any(k.startswith(f"{rule}.") for k in alerts), (
            f"{lang}: no alert text for {rule}"
        )
    for key in ("protocol_refused.copy", "protocol_refused.reported", "cleared"):
        assert key in alerts


def test_every_language_has_the_same_keys_and_placeholders_and_no_empty_text() -> None:
    english = catalog.table(Lang.EN)
    assert set(english) == set(catalog.SECTIONS)
    for lang in Lang:
        table = catalog.table(lang)
        assert set(table) == set(english), lang
        for section, texts in english.items():
            assert set(table[section]) == set(texts), f"{lang}/{section}"
            for key, text in texts.items():
                translated = table[section][key]
                assert translated.strip(), f"{lang}/{section}/{key} is empty"
                assert catalog.placeholders(translated) == catalog.placeholders(text), (
                    f"{lang}/{section}/{key}"
                )


def test_every_protocol_problem_has_a_text() -> None:
    problems = {k for k in catalog.table(Lang.EN)["alert"] if k.startswith(PROTOCOL_PREFIX)}
    assert {p.removeprefix(PROTOCOL_PREFIX) for p in problems} == {
        "cast_exceeds_issued", "issued_exceeds_received", "valid_invalid_mismatch", "votes_mismatch",
        "issued_exceeds_registered",
    }  # fmt: skip


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda c: f"{c['lang']}-{c['key']}")
def test_examples_render_as_written(case: dict[str, object]) -> None:
    params = case["params"]
    assert isinstance(params, dict)
    assert catalog.render(AlertText(str(case["key"]), params), Lang(str(case["lang"]))) == case["text"]


def test_numbers_are_grouped_and_use_the_languages_decimal_sign() -> None:
    assert [catalog.number(12345.678, lang) for lang in Lang] == ["12,345.68", "12\xa0345,68", "12\xa0345,68"]
    assert catalog.number(90.0, Lang.RU) == "90"


def test_a_resolved_alert_reads_as_cleared_and_unknown_codes_still_read() -> None:
    texts = (AlertText("abnormal_turnout", {"value": 91.5, "threshold": 90}),)
    assert catalog.message(texts, Lang.RU, resolved=True) == "Снято: Явка 91,5% при пороге 90%"
    assert catalog.text("rule", "brand_new_rule", Lang.KK) == "brand new rule"
    assert catalog.render(AlertText("grave_incident.single", {"violation": "new_kind"}), Lang.EN) == (
        "new kind reported by one monitor"
    )
