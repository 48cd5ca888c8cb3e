"""A notification's retries: exponential backoff, the receiver's Retry-After, dead after N."""

from __future__ import annotations

import random

import pytest

from services.messenger.delivery_state import Backoff
from services.messenger.notify.attempts import Attempt, Next, State, after_attempt

BACKOFF = Backoff(base=1, cap=60)
DOWN = Attempt(ok=False, error="ConnectError")


def after(attempt: Attempt, attempts: int, max_attempts: int = 5) -> Next:
    return after_attempt(attempt, attempts, max_attempts, BACKOFF, random.Random(7))


def test_a_2xx_is_delivered() -> None:
    assert after(Attempt(ok=True, status=204), 1) == Next(State.DELIVERED)


@pytest.mark.parametrize(
    ("attempts", "low", "high"), [(1, 0.5, 1), (2, 1, 2), (3, 2, 4), (6, 16, 32), (7, 30, 60), (9, 30, 60)]
)
def test_failures_wait_longer_each_time_up_to_the_cap(attempts: int, low: float, high: float) -> None:
    waited = after(DOWN, attempts, max_attempts=10)
    assert waited.state is State.QUEUED
    assert waited.error == "ConnectError"
    assert low <= waited.retry_in <= high


def test_the_receivers_retry_after_is_respected() -> None:
    busy = Attempt(ok=False, error="HTTP 429", status=429, retry_after=45)
    assert after(busy, 1).retry_in == 45


def test_after_the_last_attempt_it_is_dead() -> None:
    dead = after(DOWN, 5)
    assert dead.state is State.DEAD
    assert dead.error == "gave up after 5 attempts: ConnectError"


def test_a_number_the_gateway_refuses_is_dead_at_once() -> None:
    assert after(Attempt(ok=False, error="invalid number", final=True), 1).state is State.DEAD


def test_an_sms_that_may_have_been_taken_is_never_resent() -> None:
    assert after(Attempt(ok=False, error="ReadTimeout", maybe_taken=True), 1) == Next(
        State.UNKNOWN, "ReadTimeout"
    )
