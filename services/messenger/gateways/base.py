"""What every outbound gateway does: send a text to a phone, and read its status callbacks.

A send's outcome tells the sender what may be done next: `Accepted` (the gateway has it),
`Rejected` (never: a bad number, a text it refuses), `Retry` (it was not taken: the gateway
was unreachable, busy or failing; try later), `Unknown` (it may have been taken: the answer
never came). Phones are never logged: errors name the gateway's codes, not the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request


@dataclass(frozen=True, slots=True)
class Outbound:
    send_id: str  # "<broadcast id>.<monitor id>": the same for every attempt
    to: str  # E.164
    text: str


@dataclass(frozen=True, slots=True)
class Accepted:
    gateway_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    error: str


@dataclass(frozen=True, slots=True)
class Retry:
    error: str
    after: float | None = None  # seconds the gateway asked us to wait (Retry-After)


@dataclass(frozen=True, slots=True)
class Unknown:
    error: str


Outcome = Accepted | Rejected | Retry | Unknown


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A gateway's status callback: which delivery (our send id, its message id or both) and
    its status, one of "sent", "delivered", "failed" (None: an interim status to ignore)."""

    send_id: str | None
    gateway_id: str | None
    status: str | None
    error: str | None = None


class CallbackError(ValueError):
    """A status callback that is not the gateway's (bad signature) or not readable."""

    def __init__(self, message: str, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


class OutboundGateway(Protocol):
    name: str
    # True when a resend with the same send id can never be a second SMS (the gateway
    # deduplicates): an interrupted send is then resent instead of left `unknown`.
    idempotent: bool

    async def send(self, message: Outbound) -> Outcome: ...

    async def read_status(self, request: Request) -> StatusReport:
        """Reads (and authenticates) a status callback; raises CallbackError."""
        ...


def send_id(broadcast_id: str, monitor_id: str) -> str:
    return f"{broadcast_id}.{monitor_id}"


def split_send_id(value: str) -> tuple[str, str] | None:
    """(broadcast id, monitor id), or None when `value` is not a send id (broadcast ids hold no dot)."""
    broadcast_id, dot, monitor_id = value.partition(".")
    return (broadcast_id, monitor_id) if dot and broadcast_id and monitor_id else None
