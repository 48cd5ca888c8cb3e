"""The graphql-transport-ws handler: strawberry's, telling each operation's task where it sends,
and spending the key's operation budget on every `subscribe`, as a POST does.

Each operation runs in its own task; setting the `frames` target there lets that
subscription's resolver send compiled events straight to the socket (see `live.frames`).
The protocol itself (init, ack, subscribe, complete, ping, limits) is strawberry's, unchanged,
but for a `connection_init` whose key cannot be looked up (PostgreSQL down): the socket closes
with 1013 "try again later" instead of failing with an internal error.
"""

from __future__ import annotations

from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from services import patches
from services.api import metrics
from services.api.availability import TRY_AGAIN_LATER
from services.api.context import Context
from services.api.errors import UnavailableError
from services.api.live.frames import DirectTarget, set_target


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except UnavailableError as exc:
            metrics.UNAVAILABLE.labels(exc.dependency).inc()
            await self.websocket.close(code=TRY_AGAIN_LATER, reason=exc.message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        throttle = self.context.throttle
        # Before the handshake strawberry closes the socket (4401); only then is there a key.
        if self.connection_acknowledged and throttle is not None:
            refused = throttle.operation(self.context.rate_bucket)
            if refused is not None:
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [refused.formatted]}
                )
                return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        websocket = getattr(self.websocket, "ws", None)
        # strawberry's per-operation task (patch `strawberry.direct_frames`); off: no target.
        if isinstance(websocket, WebSocket) and patches.enabled("strawberry.direct_frames"):
            set_target(DirectTarget(websocket, operation, self.operations))
        await super().run_operation(operation)
