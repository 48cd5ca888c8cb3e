"""Keep-alive pings spread over their interval instead of fired together.

uvicorn pings every WebSocket `ws_ping_interval` (20 s) after its handshake, so connections
opened together (thousands of dashboards reconnecting after a restart, or a deploy) are pinged
together, and their pongs come back together: every 20 s a burst of socket writes and reads
competes with the live updates. Moving each connection's first ping to a random point of the
interval spreads the later ones too (each is scheduled one interval after the previous pong).
Only uvicorn's websockets-sansio protocol is handled (see `nowait_send`); elsewhere nothing changes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from services.api.nowait_send import SERVER_SEND


def spread_keepalive(websocket: WebSocket, fraction: Callable[[], float] = random.random) -> bool:
    """Reschedules the connection's pending first ping `fraction()` of an interval from now.

    False (and nothing changed) when the server is not uvicorn's websockets-sansio protocol or
    no ping is pending (keep-alive off, or a ping already in flight).
    """
    send: Any = websocket.scope.get(SERVER_SEND)
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return False
    timer, interval = protocol.ping_timer, protocol.ping_interval
    if timer is None or not interval or protocol.pending_ping_payload is not None:
        return False
    timer.cancel()
    protocol.ping_timer = protocol.loop.call_later(fraction() * interval, protocol.send_keepalive_ping)
    return True
