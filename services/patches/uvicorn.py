"""uvicorn's websockets-sansio protocol, reached through the ASGI `send` it hands the app
(written for uvicorn 0.54; services/patches/registry.py).

`ServerSendMiddleware` keeps the server's own `send` in the scope; both patches act only when
that `send` is `WebSocketsSansIOProtocol.send` and change nothing elsewhere.

- `uvicorn.nowait_send`: the live fan-out delivers an update to thousands of subscribers, and
  awaiting each socket's `send` means one task wake-up per subscriber per update, several times
  the cost of the write. When the protocol's send would not wait anyway (it only waits while
  the transport's buffer is over its high-water mark), `NowaitSend.write` runs that coroutine
  itself and returns True only if it completed without suspending; anything else (a paused
  transport, a closing socket, an error) returns False and writes nothing, and the caller takes
  the awaited path. Off: every frame is awaited.
- `uvicorn.spread_keepalive`: uvicorn pings every WebSocket `ws_ping_interval` after its
  handshake, so connections opened together (dashboards reconnecting after a restart) are
  pinged together and their pongs come back together. `spread_keepalive` moves a connection's
  first ping to a random point of the interval (`ping_timer`, `pending_ping_payload`,
  `send_keepalive_ping`); the later ones follow. Off: uvicorn's schedule.

tests/unit/api/test_socket_protocol.py runs both against uvicorn's real protocol.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

SERVER_SEND = "pollwatch.server_send"


class ServerSendMiddleware:
    """Outermost ASGI middleware: records the server's `send` for WebSocket scopes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


def _protocol(websocket: WebSocket) -> WebSocketsSansIOProtocol | None:
    send: Any = websocket.scope.get(SERVER_SEND)
    protocol = getattr(send, "__self__", None)
    return protocol if isinstance(protocol, WebSocketsSansIOProtocol) else None


class NowaitSend:
    """Writes frames to one socket without awaiting, or declines (False) and writes nothing."""

    def __init__(self, websocket: WebSocket, protocol: WebSocketsSansIOProtocol) -> None:
        self._websocket = websocket
        self._protocol = protocol

    @classmethod
    def for_socket(cls, websocket: WebSocket) -> NowaitSend | None:
        """A writer when the server is uvicorn's websockets-sansio protocol, else None."""
        protocol = _protocol(websocket)
        send: Any = websocket.scope.get(SERVER_SEND)
        if protocol is None or getattr(send, "__func__", None) is not WebSocketsSansIOProtocol.send:
            return None
        return cls(websocket, protocol)

    def write(self, text: str) -> bool:
        """True: the frame went to the transport. False: nothing was written."""
        protocol = self._protocol
        if (
            self._websocket.application_state is not WebSocketState.CONNECTED
            or not protocol.writable.is_set()
            or protocol.disconnected
            or protocol.close_sent
        ):
            return False
        sending = protocol.send({"type": "websocket.send", "text": text})
        try:
            sending.send(None)
        except StopIteration:
            return True
        except Exception:  # e.g. ClientDisconnected: the awaited path reports it
            return False
        # It suspended: its only wait is for `writable`, before anything is written.
        sending.close()
        return False


def spread_keepalive(websocket: WebSocket, fraction: Callable[[], float] = random.random) -> bool:
    """Reschedules the connection's pending first ping `fraction()` of an interval from now.

    False (and nothing changed) when the server is not uvicorn's websockets-sansio protocol or
    no ping is pending (keep-alive off, or a ping already in flight).
    """
    protocol = _protocol(websocket)
    if protocol is None:
        return False
    timer, interval = protocol.ping_timer, protocol.ping_interval
    if timer is None or not interval or protocol.pending_ping_payload is not None:
        return False
    timer.cancel()
    protocol.ping_timer = protocol.loop.call_later(fraction() * interval, protocol.send_keepalive_ping)
    return True
