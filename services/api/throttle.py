"""Per-key throttles, the same on every transport: operations per second and cost per second.

Every POST, every operation sent over a WebSocket (and each connection_init) spends one
operation; every operation also spends its estimated cost (see `query_cost`) from a second
bucket, so a key that asks for large results gets fewer of them a second. Anonymous callers
share a bucket per client address.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.api import metrics
from services.api.auth import Principal
from services.api.errors import RateLimitedError
from services.api.rate_limit import RateLimiter
from services.api.settings import ApiSettings


def bucket_of(principal: Principal, client: str) -> str:
    return principal.key_id or f"anon:{client}"


class Throttle:
    def __init__(self, settings: ApiSettings, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._operations = RateLimiter(settings.rate_per_second, settings.rate_burst)
        self._cost = RateLimiter(settings.cost_per_second, settings.cost_burst)
        self._cost_per_second = settings.cost_per_second
        self._monotonic = monotonic

    def operation(self, bucket: str) -> RateLimitedError | None:
        """None if `bucket` may run one more operation now, else the error to answer with."""
        if self._operations.allow(bucket, self._monotonic()):
            return None
        metrics.RATE_LIMITED.inc()
        retry = self._operations.retry_after(bucket)
        return RateLimitedError(
            f"rate limit exceeded; retry in {retry:.1f}s", limit="operations", retryAfter=round(retry, 1)
        )

    def spend(self, bucket: str, cost: int) -> RateLimitedError | None:
        """None if `bucket` may spend `cost` now (and it is spent), else the error to answer with."""
        if self._cost.allow(bucket, self._monotonic(), cost):
            return None
        metrics.COST_REFUSED.labels("budget").inc()
        retry = self._cost.retry_after(bucket, cost)
        return RateLimitedError(
            f"query cost budget exhausted: this operation costs {cost:,} and the key regains "
            f"{self._cost_per_second:,.0f} a second; retry in {retry:.1f}s",
            limit="cost",
            cost=cost,
            retryAfter=round(retry, 1),
        )
