"""The region evaluation pacer: evaluations take at most their share of the worker."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.pacing import Pacer


def test_a_quick_evaluation_leaves_the_next_tick_due() -> None:
    pacer = Pacer(share=0.25)
    assert pacer.due(0.0)
    pacer.ran(10.0, 10.004)  # 4 ms: due again from 10.016, before the next 500 ms tick
    assert not pacer.due(10.01)
    assert pacer.due(10.5)


def test_a_long_evaluation_skips_ticks_until_its_share_is_kept() -> None:
    pacer = Pacer(share=0.25)
    pacer.ran(100.0, 101.5)  # 1.5 s: the next may start 6 s after this one started
    assert not pacer.due(101.5)
    assert not pacer.due(105.99)
    assert pacer.due(106.0)


@given(
    share=st.floats(0.05, 1.0),
    durations=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=30),
    tick=st.floats(0.05, 2.0),
)
def test_evaluations_never_take_more_than_their_share(
    share: float, durations: list[float], tick: float
) -> None:
    # Ticks every `tick` s; an evaluation runs on a due tick and takes the next duration.
    pacer, now, busy, first = Pacer(share), 0.0, 0.0, None
    pending = list(durations)
    while pending:
        if pacer.due(now):
            d = pending.pop(0)
            first = now if first is None else first
            pacer.ran(now, now + d)
            busy += d
            now += d
        now += tick
    # Each evaluation starts d / share after the one before it at the earliest.
    assert first is not None
    assert busy <= share * (pacer.next_at - first) + 1e-6
