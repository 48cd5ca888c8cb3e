"""Per-key throttles: operations and cost, with the clock passed in; the settings that bound them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.api.auth import ANONYMOUS, Principal, Role
from services.api.rate_limit import RateLimiter
from services.api.settings import ApiSettings
from services.api.throttle import Throttle, bucket_of


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cost_is_spent_from_the_bucket() -> None:
    limiter = RateLimiter(rate=100, burst=1000)
    assert limiter.allow("k", 0.0, 600)
    assert not limiter.allow("k", 0.0, 600)
    assert limiter.retry_after("k", 600) == pytest.approx(2.0)
    assert limiter.allow("k", 2.0, 600)


def test_operations_are_refused_with_the_time_to_wait() -> None:
    clock = Clock()
    throttle = Throttle(ApiSettings(rate_per_second=2, rate_burst=2), clock)
    assert throttle.operation("k") is None
    assert throttle.operation("k") is None
    refused = throttle.operation("k")
    assert refused is not None
    assert refused.extensions == {"code": "RATE_LIMITED", "limit": "operations", "retryAfter": 0.5}
    assert refused.message == "rate limit exceeded; retry in 0.5s"
    assert throttle.operation("other") is None
    clock.now = 0.5
    assert throttle.operation("k") is None


def test_cost_budget_refuses_what_the_key_cannot_afford_yet() -> None:
    clock = Clock()
    settings = ApiSettings(
        cost_per_second=1000,
        cost_burst=3000,
        max_cost_partner=3000,
        max_cost_analyst=3000,
        max_cost_coordinator=3000,
        max_cost_admin=3000,
    )
    throttle = Throttle(settings, clock)
    assert throttle.spend("k", 2500) is None
    refused = throttle.spend("k", 2500)
    assert refused is not None
    assert refused.extensions == {"code": "RATE_LIMITED", "limit": "cost", "cost": 2500, "retryAfter": 2.0}
    assert "costs 2,500 and the key regains 1,000 a second; retry in 2.0s" in refused.message
    clock.now = 2.0
    assert throttle.spend("k", 2500) is None


def test_anonymous_callers_share_a_bucket_per_address() -> None:
    assert bucket_of(Principal("k1", Role.PARTNER, "ngo"), "10.0.0.1") == "k1"
    assert bucket_of(ANONYMOUS, "10.0.0.1") == "anon:10.0.0.1"


def test_limits_per_role_and_a_budget_that_holds_the_largest() -> None:
    settings = ApiSettings(
        max_cost_public=10,
        max_cost_partner=20,
        max_cost_analyst=30,
        max_cost_coordinator=35,
        max_cost_admin=40,
    )
    assert [settings.max_cost(r) for r in Role] == [10, 20, 30, 35, 40]
    with pytest.raises(ValidationError, match="cost_burst"):
        ApiSettings(max_cost_admin=100_000, cost_burst=50_000)
