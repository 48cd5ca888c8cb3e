"""Posting a notification to a webhook: the body as queued, signed afresh at every attempt."""

from __future__ import annotations

import time

import httpx

from services.messenger.notify.attempts import Attempt
from services.messenger.notify.signature import sign

DELIVERY_HEADER = "X-Pollwatch-Delivery"
TIMESTAMP_HEADER = "X-Pollwatch-Timestamp"
SIGNATURE_HEADER = "X-Pollwatch-Signature"


async def post(client: httpx.AsyncClient, url: str, secret: str, delivery: str, body: str) -> Attempt:
    raw = body.encode()
    now = int(time.time())
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery,
        TIMESTAMP_HEADER: str(now),
        SIGNATURE_HEADER: sign(secret, now, raw),
    }
    try:
        answer = await client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        return Attempt(ok=False, error=exc.__class__.__name__)
    if answer.is_success:
        return Attempt(ok=True, status=answer.status_code)
    after = answer.headers.get("Retry-After", "")
    return Attempt(
        ok=False,
        error=f"HTTP {answer.status_code}",
        status=answer.status_code,
        retry_after=float(after) if after.isdigit() else None,
    )
