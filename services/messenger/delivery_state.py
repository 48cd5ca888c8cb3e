"""A delivery's state machine, pure: what a send's outcome or a gateway's status makes of it.

    queued --claim--> sending --accepted--> sent --callback--> delivered | failed
                         |--not taken (refused connection, 429, 5xx)--> queued (later) | failed
                         |--refused for good (bad number)--> failed
                         '--may have been taken (timeout)--> unknown --callback--> sent | ...

A delivery is never sent again once a gateway may have taken it: `unknown` waits for the
gateway's status callback, unless the gateway deduplicates by our send id (then a resend is
the same message and the delivery goes back to `queued`). Callbacks only move a delivery
forward: a late "sent" never undoes "delivered".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from services.messenger.gateways.base import Accepted, Outcome, Rejected, Retry, Unknown


class State(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    UNKNOWN = "unknown"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


_RANK = {
    State.QUEUED: 0,
    State.SENDING: 1,
    State.UNKNOWN: 2,
    State.SENT: 3,
    State.DELIVERED: 4,
    State.FAILED: 4,
}
FINAL = frozenset({State.DELIVERED, State.FAILED})


@dataclass(frozen=True, slots=True)
class Transition:
    state: State
    error: str | None = None
    gateway_id: str | None = None
    retry_in: float | None = None  # seconds, for QUEUED


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential with jitter: attempt n waits between half and all of base * 2^(n-1), capped."""

    base: float
    cap: float

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def after_send(
    outcome: Outcome, attempts: int, max_attempts: int, idempotent: bool, backoff: Backoff, rng: random.Random
) -> Transition:
    """The delivery's next state once the gateway answered its `attempts`-th send."""
    if isinstance(outcome, Accepted):
        return Transition(State.SENT, gateway_id=outcome.gateway_id)
    if isinstance(outcome, Rejected):
        return Transition(State.FAILED, error=outcome.error)
    if isinstance(outcome, Unknown) and not idempotent:
        return Transition(State.UNKNOWN, error=outcome.error)
    error = outcome.error
    if attempts >= max_attempts:
        return Transition(State.FAILED, error=f"gave up after {attempts} attempts: {error}")
    wait = backoff.delay(attempts, rng)
    if isinstance(outcome, Retry) and outcome.after is not None:
        wait = max(wait, outcome.after)
    return Transition(State.QUEUED, error=error, retry_in=wait)


def after_status(current: State, reported: State) -> State | None:
    """The state a gateway's status callback leads to, or None when it changes nothing."""
    if current in FINAL or _RANK[reported] <= _RANK[current]:
        return None
    return reported


def after_interruption(idempotent: bool) -> State:
    """A delivery left `sending` by a process that died: resent only where that is harmless."""
    return State.QUEUED if idempotent else State.UNKNOWN
