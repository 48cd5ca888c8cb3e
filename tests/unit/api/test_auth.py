"""Keys, roles and rate limits: pure parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.auth import (
    Principal,
    Role,
    generate_key,
    hash_secret,
    key_from_headers,
    parse_key,
    secret_matches,
)
from services.api.errors import UnauthenticatedError
from services.api.rate_limit import RateLimiter


def test_generated_key_parses_back_and_matches_only_its_hash() -> None:
    new = generate_key()
    key_id, secret = parse_key(new.token)
    assert (key_id, secret) == (new.id, new.secret)
    assert secret_matches(secret, hash_secret(new.secret))
    assert not secret_matches(secret + "x", hash_secret(new.secret))
    assert new.secret not in hash_secret(new.secret)


@given(st.text(max_size=40))
def test_malformed_keys_are_refused_cleanly(text: str) -> None:
    try:
        key_id, secret = parse_key(text)
    except UnauthenticatedError:
        return
    assert key_id
    assert secret
    assert text.strip().startswith("pw_")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "pw",
        "pw_",
        "pw__x",
        "xx_a_b",
        "pw_a_",
        "pw_ab\x00_x",
        "pw_ab_x\x00",
        "pw_\ud800_x",
        "pw_ab_" + "x" * 129,
    ],
)
def test_parse_key_refuses(bad: str) -> None:
    with pytest.raises(UnauthenticatedError):
        parse_key(bad)


def test_roles_include_the_ones_below() -> None:
    assert Role.ADMIN.includes(Role.ANALYST)
    assert Role.ANALYST.includes(Role.PARTNER)
    assert not Role.PARTNER.includes(Role.ANALYST)
    assert not Role.PUBLIC.includes(Role.PARTNER)


def test_incident_texts_follow_role_and_scope() -> None:
    assert not Principal("k", Role.PARTNER, "ngo").may_read_incident_texts
    assert Principal("k", Role.PARTNER, "ngo", incident_texts=True).may_read_incident_texts
    assert Principal("k", Role.ANALYST, "ngo").may_read_incident_texts
    assert not Principal("k", Role.PUBLIC, "x", incident_texts=True).may_read_incident_texts


def test_region_scope() -> None:
    assert Principal("k", Role.PARTNER, "ngo").may_read_region("R1")
    scoped = Principal("k", Role.PARTNER, "ngo", regions=frozenset({"R1", "R2"}))
    assert scoped.may_read_region("R2")
    assert not scoped.may_read_region("R3")
    assert not scoped.may_read_region("")  # nor the nation's figures


def test_key_from_headers() -> None:
    assert key_from_headers({"x-api-key": "pw_a_b"}) == "pw_a_b"
    assert key_from_headers({"authorization": "Bearer pw_a_b"}) == "pw_a_b"
    assert key_from_headers({"authorization": "Basic xyz"}) is None
    assert key_from_headers({}) is None


def test_rate_limiter_allows_a_burst_then_refills() -> None:
    limiter = RateLimiter(rate=2, burst=3)
    assert [limiter.allow("k", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("k") == pytest.approx(0.5)
    assert limiter.allow("other", 0.0)
    assert not limiter.allow("k", 0.25)
    assert limiter.allow("k", 0.8)
