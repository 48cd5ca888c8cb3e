"""The alert pump: a subscriber that keeps up never overflows, one that is behind does and
holds nobody up for longer than the grace period."""

from __future__ import annotations

import asyncio

import pytest

from services.api.live.alert_pump import AlertPump
from services.api.live.hub import AlertSubscription, Hub, HubOverflowError
from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.unit.api.factories import alert


def pump_for(hub: Hub, grace: float) -> AlertPump:
    def publish(value: bytes | None) -> bool:
        return value is not None and hub.alerts.publish(codec.decode_alert(value)) > 0

    return AlertPump(hub.alerts, publish, grace)


def burst(n: int) -> list[bytes | None]:
    return [codec.encode_alert(alert(f"A{i}")) for i in range(n)]


async def read(sub: AlertSubscription, n: int) -> list[tuple[int, str]]:
    return [((d := await sub.get()).seq, d.value.id) for _ in range(n)]


async def test_a_burst_larger_than_the_queue_reaches_every_subscriber_that_keeps_up() -> None:
    hub = Hub()
    subs = [hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=50) for _ in range(2)]
    pump = pump_for(hub, grace=30)
    pumping = asyncio.create_task(pump.run())
    try:
        pump.put(burst(2000))
        got = await asyncio.wait_for(asyncio.gather(*(read(s, 2000) for s in subs)), 30)
    finally:
        pumping.cancel()
    for received in got:
        assert received == [(i + 1, f"A{i}") for i in range(2000)]
    assert not any(s.overflowed for s in subs)


async def test_a_subscriber_behind_for_the_grace_period_overflows_and_the_others_go_on() -> None:
    hub = Hub()
    stalled = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=50)
    fast = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=50)
    pump = pump_for(hub, grace=0.3)
    pumping = asyncio.create_task(pump.run())
    try:
        pump.put(burst(500))
        loop = asyncio.get_running_loop()
        started = loop.time()
        received = await asyncio.wait_for(read(fast, 500), 30)
        held = loop.time() - started
    finally:
        pumping.cancel()
    assert received[-1] == (500, "A499")
    assert stalled.overflowed
    with pytest.raises(HubOverflowError):
        await stalled.get()
    # The pump waited for the stalled subscriber once, for about the grace period, not per alert.
    assert 0.2 < held < 5


def test_blocking_names_a_full_subscriber_only_while_it_keeps_up() -> None:
    now = [100.0]
    hub = Hub(clock=lambda: now[0])
    sub = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=2)
    hub.alerts.publish(alert("A1"))
    assert hub.alerts.blocking(grace=5) is None  # room for one more
    now[0] += 1
    hub.alerts.publish(alert("A2"))
    assert hub.alerts.blocking(grace=5) is sub
    assert not sub.room.is_set()
    # Its queue has held something since t=100: at t=105 it is behind, and not waited for.
    now[0] = 105.0
    assert hub.alerts.blocking(grace=5) is None
    assert hub.alerts.publish(alert("A3")) == 0
    assert sub.overflowed


async def test_emptying_the_queue_restarts_the_grace_period() -> None:
    now = [0.0]
    hub = Hub(clock=lambda: now[0])
    sub = hub.alerts.subscribe(ev.Severity.INFO, None, maxsize=1)
    hub.alerts.publish(alert("A1"))
    now[0] = 4.0
    await sub.get()
    assert sub.room.is_set()
    hub.alerts.publish(alert("A2"))
    now[0] = 8.0  # 8 s since its first backlog, but only 4 s since its queue was last empty
    assert hub.alerts.blocking(grace=5) is sub
    assert sub.seconds_left(grace=5) == pytest.approx(1.0)
