"""Each election a replay knows has the aggregator rules profile of the same name, and that
profile expects the election's reporting schedule: no station reporting on it is ever silent."""

from __future__ import annotations

import pytest

from services.aggregator.domain.rule_config import load_rules, profile_file
from services.simulator.elections import ELECTIONS, Election


@pytest.mark.parametrize("election", ELECTIONS, ids=lambda e: e.key)
def test_the_profile_of_the_election_expects_its_schedule(election: Election) -> None:
    rules = load_rules(profile_file(election.key))
    assert (rules.polls.open, rules.polls.close) == (election.opens, election.closes)
    assert rules.silent_station.minutes > election.longest_quiet_minutes()
    # The polls' zone is one the election's regions use (the capital's).
    zones = {election.zone, *election.region_zones.values()}
    assert rules.polls.timezone in zones


def test_the_longest_quiet_spell_counts_opening_gaps_and_days() -> None:
    by_key = {e.key: e for e in ELECTIONS}
    assert by_key["ru-2011-duma"].longest_quiet_minutes() == 180  # 12:00 -> 15:00
    assert by_key["ru-2024-president"].longest_quiet_minutes() == 300  # 10:00 -> 15:00
    assert by_key["demo"].longest_quiet_minutes() == 60
