"""A subscriber that falls behind on alerts is ended with an error telling it to re-query."""

from __future__ import annotations

import asyncio

import asyncpg

from services.api.auth import Principal, Role
from services.api.context import Context
from services.api.key_store import KeyStore
from services.api.live.hub import Hub
from services.api.loaders import create_loaders
from services.api.schema import build_schema
from services.api.settings import ApiSettings
from services.common.contracts import events as ev
from tests.unit.api.factories import alert


async def test_overflowing_alert_subscriber_gets_an_error_naming_the_requery(database_url: str) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        settings = ApiSettings(alert_queue_size=3)
        hub = Hub()
        context = Context(
            pool=pool,
            hub=hub,
            settings=settings,
            keys=KeyStore(pool, 1.0),
            loaders=create_loaders(pool, cache=False),
            principal=Principal("", Role.PARTNER, "ngo"),
        )
        stream = await build_schema(settings).subscribe(
            "subscription { alertRaised { seq alert { id } } }", context_value=context
        )
        assert not isinstance(stream, dict)
        first = asyncio.ensure_future(stream.__anext__())
        for _ in range(500):  # the generator subscribes once the stream is first pulled
            if hub.alerts.subscribers():
                break
            await asyncio.sleep(0.01)
        hub.alerts.publish(alert("A0"))
        result = await asyncio.wait_for(first, 5)
        assert result.data == {"alertRaised": {"seq": 1, "alert": {"id": "A0"}}}
        # The consumer does not pull while five more arrive: more than its queue holds.
        for i in range(1, 6):
            hub.alerts.publish(alert(f"A{i}", ev.Severity.CRITICAL))
        result = await asyncio.wait_for(stream.__anext__(), 5)
        assert result.data is None
        assert result.errors is not None
        error = result.errors[0]
        assert "re-query alerts(since:)" in error.message
        assert error.extensions == {"code": "SUBSCRIBER_OVERFLOW", "requery": "alerts(since:)"}
        assert hub.alerts.subscribers() == set()
        await stream.aclose()
    finally:
        await pool.close()
