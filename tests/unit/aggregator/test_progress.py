"""A worker with reports waiting and nothing handled is stuck (services/aggregator/progress.py)."""

from __future__ import annotations

from services.aggregator.progress import Progress


def test_waiting_reports_with_offsets_standing_still_count_as_stuck() -> None:
    progress = Progress()
    progress.observe({0: 10, 1: 5}, waiting=True, now=100.0)
    assert progress.stuck_s(100.0) == 0.0
    progress.observe({0: 10, 1: 5}, waiting=True, now=105.0)
    progress.observe({0: 10, 1: 5}, waiting=True, now=110.0)
    assert progress.stuck_s(112.0) == 12.0


def test_moving_offsets_or_nothing_waiting_is_progress() -> None:
    progress = Progress()
    progress.observe({0: 10}, waiting=True, now=100.0)
    progress.observe({0: 11}, waiting=True, now=105.0)  # handled one more: the clock restarts
    assert progress.stuck_s(106.0) == 1.0
    progress.observe({0: 11}, waiting=False, now=110.0)  # caught up: idle is not stuck
    assert progress.stuck_s(200.0) == 0.0
    progress.observe({0: 11}, waiting=True, now=210.0)  # reports again, from now
    assert progress.stuck_s(215.0) == 5.0
