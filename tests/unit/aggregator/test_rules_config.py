from pathlib import Path

import pytest

from services.aggregator.domain.rule_config import (
    DEFAULT_RULES_FILE,
    RULES_DIR,
    RegionRelative,
    RulesConfig,
    load_rules,
    profile_file,
    profiles,
)
from services.aggregator.settings import AggregatorSettings
from services.common.infra.errors import SettingsError

ELECTION_PROFILES = [
    "ru-2011-duma",
    "ru-2012-president",
    "ru-2024-president",
    "bg-2021-parliament",
    "ro-2024-local",
]


def test_the_demo_profile_holds_the_documented_defaults() -> None:
    assert DEFAULT_RULES_FILE == RULES_DIR / "demo.yaml"
    assert load_rules(DEFAULT_RULES_FILE) == RulesConfig()


def test_one_profile_per_election_and_each_loads() -> None:
    assert profiles() == sorted(["demo", *ELECTION_PROFILES])
    for name in profiles():
        load_rules(profile_file(name))


def test_russian_profiles_judge_home_voting_against_the_region() -> None:
    duma = load_rules(profile_file("ru-2011-duma"))
    assert duma.home_voting.region == RegionRelative(z=3.5)
    assert (duma.home_voting.warning, duma.home_voting.critical) == (5.0, 15.0)
    assert duma.polls.timezone == "Europe/Moscow"
    assert RulesConfig().home_voting.region is None  # the demo's stays absolute


def test_the_setting_picks_a_profile_or_a_file(tmp_path: Path) -> None:
    assert AggregatorSettings().rules_path() == DEFAULT_RULES_FILE
    chosen = AggregatorSettings(rules_profile="ru-2012-president").rules_path()
    assert chosen == RULES_DIR / "ru-2012-president.yaml"
    own = tmp_path / "mine.yaml"
    assert AggregatorSettings(rules_profile="nope", rules_file=own).rules_path() == own
    with pytest.raises(SettingsError, match=r"no rules profile 'nope' .*profiles: bg-2021-parliament, demo"):
        AggregatorSettings(rules_profile="nope").rules_path()


def test_bad_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("abnormal_turnout: {warning: 99, critical: 90}\n")
    with pytest.raises(SettingsError, match="critical threshold"):
        load_rules(bad)
    bad.write_text("turnout_jmp: {}\n")
    with pytest.raises(SettingsError, match="turnout_jmp"):
        load_rules(bad)
    bad.write_text("home_voting: {warning: 5, critical: 15, region: {z: 0}}\n")
    with pytest.raises(SettingsError, match=r"home_voting\.region\.z"):
        load_rules(bad)
    with pytest.raises(SettingsError, match=r"missing\.yaml"):
        load_rules(tmp_path / "missing.yaml")
