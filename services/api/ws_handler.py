"""The graphql-transport-ws handler: strawberry's, telling each operation's task where it sends.

Each operation runs in its own task; setting the `live_frames` target there lets that
subscription's resolver send compiled events straight to the socket (see `live_frames`).
The protocol itself (init, ack, subscribe, complete, ping, limits) is strawberry's, unchanged.
"""

from __future__ import annotations

from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

from services.api.context import Context
from services.api.live_frames import DirectTarget, set_target


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def run_operation(self, operation: Operation[Context, None]) -> None:
        websocket = getattr(self.websocket, "ws", None)
        if isinstance(websocket, WebSocket):
            set_target(DirectTarget(websocket, operation, self.operations))
        await super().run_operation(operation)
