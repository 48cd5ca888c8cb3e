"""The freeze policy (survivors frozen every tick; a full pass only after growth and time) and
the start-up settling every service does."""

from __future__ import annotations

import gc

from services.common.infra.gc_freeze import Collector, FreezePolicy, settle


class FakeGc:
    def __init__(self) -> None:
        self.tracked = 0  # objects the collector would walk
        self.frozen = 100
        self.calls: list[str] = []

    def collect(self, generation: int) -> int:
        self.calls.append(f"collect{generation}")
        return 0

    def freeze(self) -> None:
        self.calls.append("freeze")
        self.frozen += self.tracked
        self.tracked = 0

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")
        self.tracked += self.frozen
        self.frozen = 0


def _policy(fake: FakeGc, clock: list[float]) -> FreezePolicy:
    collector = Collector(fake.collect, fake.freeze, fake.unfreeze, lambda: fake.frozen)
    return FreezePolicy(growth=2.0, min_full_seconds=600, collector=collector, monotonic=lambda: clock[0])


def test_each_tick_collects_the_young_generation_then_freezes_the_survivors() -> None:
    fake, clock = FakeGc(), [0.0]
    policy = _policy(fake, clock)
    fake.tracked = 50
    policy.tick()
    assert fake.calls == ["collect0", "freeze"]
    assert (fake.tracked, fake.frozen, policy.full_passes) == (0, 150, 0)


def test_a_full_pass_needs_both_growth_and_time() -> None:
    fake, clock = FakeGc(), [0.0]
    policy = _policy(fake, clock)
    policy.tick()  # baseline: 100 frozen
    fake.tracked = 500  # grown 6x, but too soon
    clock[0] = 599
    policy.tick()
    assert policy.full_passes == 0
    clock[0] = 600  # time has passed and the frozen population grew: one full pass
    fake.calls.clear()
    policy.tick()
    assert policy.full_passes == 1
    assert fake.calls == ["collect0", "freeze", "unfreeze", "collect2", "freeze"]
    clock[0] = 2000  # much later but no growth since: no pause
    policy.tick()
    assert policy.full_passes == 1


def test_the_frozen_population_is_counted_only_when_a_full_pass_is_due_by_time() -> None:
    fake, clock = FakeGc(), [0.0]
    counted: list[float] = []

    def frozen() -> int:
        counted.append(clock[0])
        return fake.frozen

    collector = Collector(fake.collect, fake.freeze, fake.unfreeze, frozen)
    policy = FreezePolicy(growth=2.0, min_full_seconds=600, collector=collector, monotonic=lambda: clock[0])
    for clock[0] in (0, 10, 20, 599, 600):
        policy.tick()
    assert counted == [0, 600]  # the baseline, then once the time has come


def test_settle_freezes_what_is_alive_and_sets_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        settle(12_345)
        assert gc.get_threshold() == (12_345, before[1], before[2])
        assert gc.get_freeze_count() > 0
        settle(50_000, 20, 100)
        assert gc.get_threshold() == (50_000, 20, 100)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
