"""Feed readiness from plain values and a fake clock: broker answers, fetches, initial catch-up."""

from __future__ import annotations

from services.api.live.feed_health import FeedHealth


def health() -> tuple[FeedHealth[str], list[float]]:
    now = [0.0]
    return FeedHealth(stale_after=5.0, clock=lambda: now[0]), now


def test_not_live_until_the_feed_has_read_what_the_topics_held_at_start() -> None:
    h, _ = health()
    h.fetched()
    assert h.checks() == {"kafka": False, "feed": False}
    assert h.answered({"a": 10, "b": 0}, {"a": 4, "b": 0}, backlog=0) == {"a": 6, "b": 0}
    assert h.checks() == {"kafka": True, "feed": False}
    # Later records do not move the goal: what counts is what was there at the first answer.
    h.answered({"a": 50, "b": 3}, {"a": 10, "b": 0}, backlog=7)
    assert not h.caught_up  # fetched, but 7 alerts not published yet
    h.answered({"a": 50, "b": 3}, {"a": 10, "b": 0}, backlog=0)
    assert h.caught_up
    assert h.live


def test_a_silent_broker_or_a_stopped_fetch_loop_turns_it_off_after_the_bound() -> None:
    h, now = health()
    h.answered({"a": 0}, {"a": 0}, backlog=0)
    h.fetched()
    assert h.live
    now[0] = 4.9
    h.fetched()
    assert h.live
    now[0] = 5.1  # no answer for 5.1 s
    assert h.checks() == {"kafka": False, "feed": True}
    h.answered({"a": 0}, {"a": 0}, backlog=0)
    now[0] = 10.0  # no fetch for 5.1 s
    assert h.checks() == {"kafka": True, "feed": False}
    # Caught up once stays caught up: falling behind later is lag (a metric), not unreadiness.
    h.fetched()
    h.answered({"a": 900}, {"a": 100}, backlog=0)
    assert h.live
