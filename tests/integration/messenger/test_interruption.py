"""A delivery a dead messenger left `sending`: resent only where the gateway deduplicates.

The dead process's request reached the gateway (Twilio's API, which does not deduplicate) but
its answer was never recorded, and no status callback comes. The next messenger must not send
it again: the delivery is left `unknown`, and the others go out as usual."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from services.common.contracts import events as ev
from services.messenger import deliveries
from services.messenger.app import create_app as messenger_app
from services.messenger.audience import record_broadcast
from services.messenger.gateways.base import Accepted, Outbound, send_id
from services.messenger.gateways.generic import GenericGateway
from services.messenger.gateways.twilio import TwilioGateway
from services.simulator.gateway.app import create_app as gateway_app
from services.simulator.gateway.settings import GatewaySimSettings
from tests.integration.messenger.conftest import PHONES, messenger_settings, settled
from tests.support.asgi_server import serving
from tests.support.processes import free_port

pytestmark = pytest.mark.usefixtures("monitors")
NOWHERE = f"http://127.0.0.1:{free_port()}"  # where the dead process's callbacks would have gone


@pytest.mark.parametrize(("gateway", "resent"), [("twilio", False), ("generic", True)])
async def test_an_interrupted_send_is_never_sent_twice(
    db: asyncpg.Connection, shared_settings: object, gateway: str, resent: bool
) -> None:
    broadcast = ev.Broadcast(
        "bc-interrupted",
        ev.BroadcastKind.MESSAGE,
        ev.Audience(everyone=True),
        "Hello",
        {},
        "test",
        datetime.now(UTC),
    )
    assert await record_broadcast(db, broadcast) == 4
    sim = GatewaySimSettings()
    async with serving(gateway_app(sim)) as gateway_url, httpx.AsyncClient() as client:
        # The dead process: claimed one delivery, sent it, died before recording the answer.
        dead = await deliveries.claim_next(db, "messenger-dead")
        assert dead is not None
        assert dead.phone is not None
        message = Outbound(send_id(dead.broadcast_id, dead.monitor_id), dead.phone, "Hello")
        if gateway == "twilio":
            sender: TwilioGateway | GenericGateway = TwilioGateway(
                client,
                gateway_url,
                sim.twilio_account_sid,
                sim.twilio_auth_token.get_secret_value(),
                "+15005550006",
                NOWHERE,
            )
        else:
            sender = GenericGateway(client, f"{gateway_url}/v1/messages", None, None, NOWHERE)
        assert isinstance(await sender.send(message), Accepted)
        await db.execute(
            "UPDATE message_deliveries SET claimed_at = now() - interval '1 hour' WHERE monitor_id = $1",
            dead.monitor_id,
        )
        settings = messenger_settings(shared_settings, sim, gateway, gateway_url)  # type: ignore[arg-type]
        async with serving(messenger_app(settings), settings.port):
            rows = await settled(db, broadcast.id)
            texted = (await client.get(f"{gateway_url}/simulator/texted")).json()["texted"]
    assert Counter(t["to"] for t in texted) == Counter(PHONES)  # nobody twice
    interrupted = rows[dead.monitor_id]
    if resent:  # the generic gateway recognised the id: the same message, answered again
        assert interrupted["state"] == "delivered"
        assert interrupted["attempts"] == 2
    else:
        assert interrupted["state"] == "unknown"
        assert interrupted["error"] == "interrupted while sending"
        assert interrupted["attempts"] == 1
    assert sorted(r["state"] for m, r in rows.items() if m != dead.monitor_id) == ["delivered"] * 3
