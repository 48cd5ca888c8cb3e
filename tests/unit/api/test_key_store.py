"""The key re-check on every subscription message: one query per key, never one per subscriber."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from services.api.auth import Principal, Role
from services.api.errors import UnauthenticatedError
from services.api.key_store import KeyStore


class _Rows:
    """Stands in for the pool: answers key_by_id's fetchrow from a dict and counts the calls."""

    def __init__(self) -> None:
        self.revoked_at: datetime | None = None
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()

    async def fetchrow(self, _sql: str, key_id: str) -> dict[str, Any]:
        self.calls += 1
        await self.release.wait()
        return {
            "id": key_id,
            "key_hash": "x",
            "role": "partner",
            "org": "ngo",
            "incident_texts": False,
            "verified_only": False,
            "regions": None,
            "created_at": datetime(2024, 1, 1, tzinfo=UTC),
            "revoked_at": self.revoked_at,
        }


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


PRINCIPAL = Principal("k1", Role.PARTNER, "ngo")


async def test_thousands_of_subscribers_share_one_lookup_when_the_entry_expired() -> None:
    rows, clock = _Rows(), _Clock()
    store = KeyStore(rows, 2.0, clock)  # type: ignore[arg-type]
    rows.release.clear()
    checks = [asyncio.create_task(store.ensure_active(PRINCIPAL)) for _ in range(2000)]
    await asyncio.sleep(0)
    rows.release.set()
    await asyncio.gather(*checks)
    assert rows.calls == 1


async def test_a_fresh_entry_is_refreshed_ahead_in_the_background_and_revocation_lands_within_the_ttl() -> (
    None
):
    rows, clock = _Rows(), _Clock()
    store = KeyStore(rows, 2.0, clock)  # type: ignore[arg-type]
    await store.ensure_active(PRINCIPAL)
    assert rows.calls == 1
    clock.now += 0.5
    await store.ensure_active(PRINCIPAL)  # young entry: no query
    assert rows.calls == 1
    rows.revoked_at = datetime(2024, 3, 1, tzinfo=UTC)
    clock.now += 0.6  # past half the TTL: this check passes on the cached entry, a refresh starts
    rows.release.clear()
    await store.ensure_active(PRINCIPAL)
    await asyncio.sleep(0)  # the background refresh starts
    assert rows.calls == 2
    rows.release.set()
    await asyncio.sleep(0.01)
    with pytest.raises(UnauthenticatedError):
        await store.ensure_active(PRINCIPAL)  # the refreshed entry says revoked


async def test_an_expired_entry_is_checked_before_the_message_goes_out() -> None:
    rows, clock = _Rows(), _Clock()
    store = KeyStore(rows, 2.0, clock)  # type: ignore[arg-type]
    await store.ensure_active(PRINCIPAL)
    rows.revoked_at = datetime(2024, 3, 1, tzinfo=UTC)
    clock.now += 2.5
    with pytest.raises(UnauthenticatedError):
        await store.ensure_active(PRINCIPAL)
    assert rows.calls == 2
