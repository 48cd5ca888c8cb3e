"""Writing a text frame to a WebSocket now, from synchronous code, when the server can take it.

The live fan-out delivers an update to thousands of subscribers. Awaiting each socket's
`send` means one task wake-up per subscriber per update (the event, the task step, the
coroutine chain through strawberry and graphql-core's iterators, Starlette's send wrappers),
several times the cost of the write itself. When the server's send would not wait anyway
(uvicorn's websockets-sansio protocol only waits while the transport's buffer is over its
high-water mark), the hub's publish can write the frame itself, in one loop.

`ServerSendMiddleware` keeps the ASGI server's own `send` in the scope; `NowaitSend.for_socket`
returns a writer only when that `send` is uvicorn's websockets-sansio protocol's. `write`
runs that protocol's own `send` coroutine and returns True only if it completed without
suspending; anything else (a paused transport, a closing socket, an error) returns False
and writes nothing, and the caller takes the awaited path, which waits or reports the error.
"""

from __future__ import annotations

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


class NowaitSend:
    """Writes frames to one socket without awaiting, or declines (False) and writes nothing."""

    def __init__(self, websocket: WebSocket, protocol: WebSocketsSansIOProtocol) -> None:
        self._websocket = websocket
        self._protocol = protocol

    @classmethod
    def for_socket(cls, websocket: WebSocket) -> NowaitSend | None:
        """A writer when the server is uvicorn's websockets-sansio protocol, else None."""
        send: Any = websocket.scope.get(SERVER_SEND)
        protocol = getattr(send, "__self__", None)
        if not isinstance(protocol, WebSocketsSansIOProtocol):
            return None
        if getattr(send, "__func__", None) is not WebSocketsSansIOProtocol.send:
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
