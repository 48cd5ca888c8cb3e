"""A notification's state machine, pure: what one attempt's outcome makes of it.

    queued --claim--> sending --2xx / gateway took it--> delivered
                         |--failed (down, refused, 5xx, timeout)--> queued (backoff) | dead (after N)
                         '--an SMS the gateway may have taken--> unknown (never resent)

A webhook is resent after a timeout or a crash with the same X-Pollwatch-Delivery id, which
the receiver uses to take it once; an SMS is resent only through a gateway that deduplicates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from services.messenger.delivery_state import Backoff


class State(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    UNKNOWN = "unknown"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one send came to: ok, or an error (and the HTTP status when there was one)."""

    ok: bool
    error: str | None = None
    status: int | None = None
    final: bool = False  # never worth another try (a number the gateway refuses)
    maybe_taken: bool = False  # an SMS whose answer never came
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Next:
    state: State
    error: str | None = None
    retry_in: float = 0.0


def after_attempt(
    attempt: Attempt, attempts: int, max_attempts: int, backoff: Backoff, rng: random.Random
) -> Next:
    """The notification's next state after its `attempts`-th send."""
    if attempt.ok:
        return Next(State.DELIVERED)
    if attempt.maybe_taken:
        return Next(State.UNKNOWN, attempt.error)
    if attempt.final or attempts >= max_attempts:
        return Next(State.DEAD, f"gave up after {attempts} attempts: {attempt.error}")
    wait = backoff.delay(attempts, rng)
    if attempt.retry_after is not None:
        wait = max(wait, attempt.retry_after)
    return Next(State.QUEUED, attempt.error, wait)
