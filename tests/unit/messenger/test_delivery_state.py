"""The delivery state machine: what each gateway answer and each callback makes of a delivery."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.messenger.delivery_state import (
    FINAL,
    Backoff,
    State,
    Transition,
    after_interruption,
    after_send,
    after_status,
)
from services.messenger.gateways.base import Accepted, Outcome, Rejected, Retry, Unknown

BACKOFF = Backoff(base=2, cap=300)


def send(outcome: Outcome, attempts: int = 1, idempotent: bool = False, max_attempts: int = 8) -> Transition:
    return after_send(outcome, attempts, max_attempts, idempotent, BACKOFF, random.Random(1))


def test_accepted_is_sent_with_the_gateways_id() -> None:
    assert send(Accepted("SM1")) == Transition(State.SENT, gateway_id="SM1")


def test_rejected_fails_at_once() -> None:
    assert send(Rejected("twilio 21211: bad number")) == Transition(
        State.FAILED, error="twilio 21211: bad number"
    )


def test_not_taken_is_queued_again_later_until_the_last_attempt() -> None:
    first = send(Retry("gateway error (500)"), attempts=1)
    assert first.state is State.QUEUED
    assert first.retry_in is not None
    assert 1 <= first.retry_in <= 2
    later = send(Retry("gateway error (500)"), attempts=5)
    assert later.retry_in is not None
    assert 16 <= later.retry_in <= 32
    last = send(Retry("gateway error (500)"), attempts=8)
    assert last == Transition(State.FAILED, error="gave up after 8 attempts: gateway error (500)")


def test_the_gateways_retry_after_is_respected() -> None:
    assert send(Retry("429", after=45)).retry_in == 45


def test_a_send_that_may_have_been_taken_is_never_resent_unless_the_gateway_deduplicates() -> None:
    assert send(Unknown("no answer")) == Transition(State.UNKNOWN, error="no answer")
    assert send(Unknown("no answer"), idempotent=True).state is State.QUEUED
    assert after_interruption(idempotent=False) is State.UNKNOWN
    assert after_interruption(idempotent=True) is State.QUEUED


@pytest.mark.parametrize(
    ("current", "reported", "expected"),
    [
        (State.SENDING, State.SENT, State.SENT),  # the callback before our own record
        (State.SENT, State.DELIVERED, State.DELIVERED),
        (State.UNKNOWN, State.SENT, State.SENT),  # the gateway had it after all
        (State.QUEUED, State.SENT, State.SENT),  # a 5xx that had taken it: never resent
        (State.SENT, State.FAILED, State.FAILED),
        (State.DELIVERED, State.SENT, None),  # late and out of order
        (State.DELIVERED, State.FAILED, None),
        (State.FAILED, State.DELIVERED, None),
        (State.SENT, State.SENT, None),
    ],
)
def test_callbacks_only_move_forward(current: State, reported: State, expected: State | None) -> None:
    assert after_status(current, reported) is expected


@given(st.lists(st.sampled_from([State.SENT, State.DELIVERED, State.FAILED]), max_size=6))
def test_any_order_of_callbacks_settles_on_the_first_final_one(reported: list[State]) -> None:
    state = State.SENDING
    for status in reported:
        state = after_status(state, status) or state
    finals = [s for s in reported if s in FINAL]
    assert state == (finals[0] if finals else State.SENT if reported else State.SENDING)


@given(st.integers(1, 40), st.integers(0, 1000))
def test_backoff_grows_and_stays_under_its_cap(attempt: int, seed: int) -> None:
    delay = BACKOFF.delay(attempt, random.Random(seed))
    ceiling = min(300, 2 * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling
