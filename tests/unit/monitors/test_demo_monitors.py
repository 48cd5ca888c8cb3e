"""The demo roster: 2,000 monitors of the demo registry that all import cleanly."""

from __future__ import annotations

from collections import Counter

from services.common.monitors.roster import parse_roster
from services.common.registry.demo_monitors import demo_monitors, to_csv
from services.common.registry.demo_registry import demo_registry


def test_every_demo_monitor_is_a_valid_roster_row() -> None:
    registry = demo_registry()
    roster = parse_roster(
        to_csv(demo_monitors(registry)),
        {s.id: s.region_id for s in registry.stations},
        frozenset(r.id for r in registry.regions),
    )
    assert roster.refusals == ()
    assert len(roster.rows) == 2000
    covered = {s for r in roster.rows for s in r.stations}
    assert covered == {s.id for s in registry.stations}
    assert set(Counter(r.lang for r in roster.rows)) == {"kk", "ru", "en"}


def test_same_seed_same_roster() -> None:
    assert to_csv(demo_monitors(seed=3)) == to_csv(demo_monitors(seed=3))
    assert to_csv(demo_monitors(seed=3)) != to_csv(demo_monitors(seed=4))
