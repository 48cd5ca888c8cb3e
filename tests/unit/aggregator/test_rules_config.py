from pathlib import Path

import pytest

from services.aggregator.domain.rules import DEFAULT_RULES_FILE, RulesConfig, load_rules
from services.common.errors import SettingsError


def test_the_shipped_file_matches_the_documented_defaults() -> None:
    assert load_rules(DEFAULT_RULES_FILE) == RulesConfig()


def test_bad_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("abnormal_turnout: {warning: 99, critical: 90}\n")
    with pytest.raises(SettingsError, match="critical threshold"):
        load_rules(bad)
    bad.write_text("turnout_jmp: {}\n")
    with pytest.raises(SettingsError, match="turnout_jmp"):
        load_rules(bad)
    with pytest.raises(SettingsError, match=r"missing\.yaml"):
        load_rules(tmp_path / "missing.yaml")
