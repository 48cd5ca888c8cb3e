"""Texting a notification through the messenger's outbound gateway (services/messenger/gateways)."""

from __future__ import annotations

from services.messenger.gateways.base import Accepted, Outbound, OutboundGateway, Rejected, Retry
from services.messenger.notify.attempts import Attempt


async def text(gateway: OutboundGateway, send_id: str, phone: str, body: str) -> Attempt:
    outcome = await gateway.send(Outbound(send_id, phone, body))
    if isinstance(outcome, Accepted):
        return Attempt(ok=True)
    if isinstance(outcome, Rejected):
        return Attempt(ok=False, error=outcome.error, final=True)
    if isinstance(outcome, Retry):
        return Attempt(ok=False, error=outcome.error, retry_after=outcome.after)
    # The answer never came: taken or not, a resend is a second SMS unless the gateway dedups.
    return Attempt(ok=False, error=outcome.error, maybe_taken=not gateway.idempotent)
