"""Every subscription field runs the one live loop (`live.stream`): current state first, each
message numbered, the subscription left and counted out however it ends, the feed required,
an alert overflow and a revoked key ending it with their error. Driven through the schema
in process: no socket, so every event takes the graphql-core path."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, cast

import asyncpg
import pytest
from prometheus_client import REGISTRY
from strawberry.types import ExecutionResult

from services.api.auth import Principal, Role
from services.api.context import Context
from services.api.errors import UnauthenticatedError
from services.api.key_store import KeyStore
from services.api.live.hub import Hub
from services.api.loaders import create_loaders
from services.api.schema import build_schema
from services.api.settings import ApiSettings
from services.common.contracts import events as ev
from tests.unit.api.factories import alert, region_stats, station_stats

SCHEMA = build_schema()


class Keys(KeyStore):
    """A key store whose answer the test sets: active until `revoked`."""

    def __init__(self) -> None:
        super().__init__(cast(asyncpg.Pool, None), 60.0)
        self.revoked = False

    def known_active(self, principal: Principal) -> bool:
        return not self.revoked

    async def ensure_active(self, principal: Principal) -> None:
        if self.revoked:
            raise UnauthenticatedError("API key revoked")


def _context(
    hub: Hub,
    keys: KeyStore | None = None,
    regions: frozenset[str] | None = None,
    feed_live: bool = True,
    alert_queue_size: int = 1000,
) -> Context:
    pool = cast(asyncpg.Pool, None)
    return Context(
        pool=pool,
        hub=hub,
        settings=ApiSettings(alert_queue_size=alert_queue_size),
        keys=keys or Keys(),
        loaders=create_loaders(pool),
        principal=Principal("k1", Role.PARTNER, "ngo", regions=regions),
        feed_live=lambda: feed_live,
    )


async def _stream(query: str, ctx: Context) -> AsyncGenerator[ExecutionResult, None]:
    result = await SCHEMA.subscribe(query, context_value=ctx)
    assert not isinstance(result, ExecutionResult), result
    return result


def _subscribers(hub: Hub) -> int:
    stats = sum(len(c.subscribers()) for c in (hub.stations, hub.regions, hub.national))
    return stats + len(hub.alerts.subscribers())


def _active(field: str) -> float:
    return REGISTRY.get_sample_value("pollwatch_api_subscriptions_active", {"subscription": field}) or 0.0


def _extensions(result: ExecutionResult) -> list[dict[str, Any]]:
    assert result.errors
    return [dict(e.extensions or {}) for e in result.errors]


def _codes(result: ExecutionResult) -> list[str]:
    return [str(e.get("code")) for e in _extensions(result)]


# field, document, publish generation n of a value, what a message says of it (n or "A<n>")
CASES: list[tuple[str, str, Callable[[Hub, int], object], Callable[[dict[str, Any]], object]]] = [
    (
        "stationUpdated",
        'subscription { stationUpdated(ids: ["S1"]) { seq station { id stats { ballotsIssued } } } }',
        lambda hub, n: hub.stations.publish(station_stats("S1", ballots=n, minute=n)),
        lambda d: d["station"]["stats"]["ballotsIssued"],
    ),
    (
        "regionUpdated",
        'subscription { regionUpdated(ids: ["R1"]) { seq region { id stats { ballotsIssued } } } }',
        lambda hub, n: hub.publish_region(region_stats("R1", ballots=n)),
        lambda d: d["region"]["stats"]["ballotsIssued"],
    ),
    (
        "overviewUpdated",
        "subscription { overviewUpdated { seq overview { national { ballotsIssued } } } }",
        lambda hub, n: hub.publish_region(region_stats(ev.NATIONAL, ballots=n)),
        lambda d: d["overview"]["national"]["ballotsIssued"],
    ),
    (
        "alertRaised",
        "subscription { alertRaised { seq alert { id } } }",
        lambda hub, n: hub.alerts.publish(alert(f"A{n}")),
        lambda d: int(d["alert"]["id"][1:]),
    ),
]


@pytest.mark.parametrize(("field", "query", "publish", "said"), CASES, ids=[c[0] for c in CASES])
async def test_each_field_streams_current_state_then_changes_and_leaves_the_hub(
    field: str,
    query: str,
    publish: Callable[[Hub, int], object],
    said: Callable[[dict[str, Any]], object],
) -> None:
    hub = Hub()
    publish(hub, 1)
    active = _active(field)
    async with aclosing(await _stream(query, _context(hub))) as results:
        first = await anext(results)
        assert _active(field) == active + 1
        publish(hub, 2)
        second = await anext(results)
        assert _subscribers(hub) == 1
    got = [(r.data or {})[field] for r in (first, second)]
    assert [g["seq"] for g in got] == [1, 2]
    assert [said(g) for g in got] == [1, 2]
    assert _subscribers(hub) == 0
    assert _active(field) == active


async def test_a_feed_that_is_not_live_refuses_before_subscribing() -> None:
    hub = Hub()
    hub.stations.publish(station_stats("S1"))
    query = 'subscription { stationUpdated(ids: ["S1"]) { seq } }'
    async with aclosing(await _stream(query, _context(hub, feed_live=False))) as results:
        refused = await anext(results)
    (error,) = _extensions(refused)
    assert (error["code"], error["dependency"]) == ("UNAVAILABLE", "kafka")
    assert _subscribers(hub) == 0


async def test_argument_and_access_errors_come_before_the_feed_check() -> None:
    hub = Hub()
    ctx = _context(hub, regions=frozenset({"R1"}), feed_live=False)
    for query, code in (
        ("subscription { stationUpdated(ids: []) { seq } }", "INVALID_ARGUMENT"),
        ('subscription { alertRaised(region: "R2") { seq } }', "FORBIDDEN"),
    ):
        async with aclosing(await _stream(query, ctx)) as results:
            assert _codes(await anext(results)) == [code]
    assert _subscribers(hub) == 0


async def test_an_alert_subscriber_that_overflows_gets_what_it_had_then_subscriber_overflow() -> None:
    hub = Hub()
    hub.alerts.publish(alert("A0"))
    query = "subscription { alertRaised { seq alert { id } } }"
    async with aclosing(await _stream(query, _context(hub, alert_queue_size=2))) as results:
        first = await anext(results)
        for n in (1, 2, 3):  # the third finds the queue full: the subscriber overflowed
            hub.alerts.publish(alert(f"A{n}"))
        ended = await anext(results)
        with pytest.raises(StopAsyncIteration):
            await anext(results)
    assert (first.data or {})["alertRaised"] == {"seq": 1, "alert": {"id": "A0"}}
    (error,) = _extensions(ended)
    assert (error["code"], error["requery"]) == ("SUBSCRIBER_OVERFLOW", "alerts(since:)")
    assert _subscribers(hub) == 0


async def test_a_revoked_key_ends_the_stream_on_its_next_message() -> None:
    hub = Hub()
    keys = Keys()
    hub.stations.publish(station_stats("S1", ballots=1))
    query = 'subscription { stationUpdated(ids: ["S1"]) { seq } }'
    async with aclosing(await _stream(query, _context(hub, keys))) as results:
        assert (await anext(results)).data == {"stationUpdated": {"seq": 1}}
        keys.revoked = True
        hub.stations.publish(station_stats("S1", ballots=2, minute=1))
        refused = await anext(results)
    assert _codes(refused) == ["UNAUTHENTICATED"]
    assert _subscribers(hub) == 0


async def test_the_hubs_shutdown_completes_every_stream() -> None:
    hub = Hub()
    hub.regions.publish(region_stats("R1"))
    query = 'subscription { regionUpdated(ids: ["R1"]) { seq } }'
    async with aclosing(await _stream(query, _context(hub))) as results:
        assert (await anext(results)).data == {"regionUpdated": {"seq": 1}}
        hub.close()
        with pytest.raises(StopAsyncIteration):
            await anext(results)
    assert _subscribers(hub) == 0
