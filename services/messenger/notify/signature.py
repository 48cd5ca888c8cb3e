"""The webhook signature: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret.

Receivers check it as docs/notify.md shows: recompute over the raw body and the timestamp
header, compare in constant time, and refuse timestamps older than a few minutes (a replay).
"""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "v1"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Pollwatch-Signature header's value: "v1=<hex digest>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float, tolerance: float = TOLERANCE_SECONDS
) -> bool:
    """True when `signature` is ours over `body` at `timestamp`, and that is within `tolerance`."""
    try:
        at = int(timestamp)
    except ValueError:
        return False
    if abs(now - at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, at, body), signature)
