"""Live updates sent straight to the subscriber's socket as preformatted graphql-transport-ws frames.

strawberry hands every subscription event through several layers per subscriber (graphql-core's
per-event executor copy, strawberry's result handling and extension hooks, the transport
handler's message dict, JSON encoding, Starlette's send): with thousands of subscribers that
plumbing was most of the API's CPU per update. For a selection `render` compiled, the
`next` frame's text is the same for every subscriber with the same selection, role and scope
but for two things: the operation id the client chose and its `seq`. So the body is rendered
and serialized once per (plan key, event) in `FrameCache`, split around the `seq` fields, and
each subscriber sends `prefix(id) + body(seq)`: the exact text strawberry would have sent.

Only the transport's own handler enables this (`DirectTarget` in a context variable set for
the operation's task), so subscriptions over other transports keep the normal path. Anything
the compiled path cannot do (a `FallbackError`, a value orjson refuses, a non-object result)
returns False and the subscription yields that event through graphql-core as before. Access
checks are unchanged: a plan only compiles selections of plain fields, and the plan's key holds
the role and scope.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected

from services import patches
from services.api import metrics
from services.api.shared_execution import Plan, SharedResults, plan_for
from services.patches import strawberry as strawberry_patch
from services.patches.uvicorn import NowaitSend

_FRAMES_KEPT = 20_000


class LiveEvent(Protocol):
    """A subscription event: its subscriber's seq and the event's identity (see shared_execution)."""

    seq: int

    def share_key(self) -> tuple[object, ...]: ...


class _Operation(Protocol):
    id: str
    completed: bool

    async def send_operation_message(self, message: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class DirectTarget:
    """The socket and protocol operation a subscription's task sends to."""

    websocket: WebSocket
    operation: _Operation
    operations: dict[str, Any]  # the handler's open operations, to notice a completed one


_TARGET: contextvars.ContextVar[DirectTarget | None] = contextvars.ContextVar("pollwatch_direct_target")


def set_target(target: DirectTarget) -> None:
    """Called in the operation's own task, so only that subscription sees it."""
    _TARGET.set(target)


def current_target() -> DirectTarget | None:
    return _TARGET.get(None)


async def end_with_error(error: GraphQLError) -> None:
    """Ends this task's operation with a graphql-transport-ws `error` message, if it has one.

    An error raised by a subscription's resolver reaches the client as a `next` carrying it,
    then `complete`: graphql-ws clients hand that to `next` and end quietly, so a client that
    only reads data sees its stream just stop. `error` is what they surface as an error (the
    protocol allows it "during the execution of the request"); the operation is then over, so
    what strawberry sends for the raised error afterwards is dropped.
    """
    target = current_target()
    if target is not None and not target.operation.completed:
        message = {"id": target.operation.id, "type": "error", "payload": [error.formatted]}
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
            await target.operation.send_operation_message(message)


def body_parts(root_key: str, value: dict[str, Any], seq_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The `payload` JSON after `"data":`, split where the `seq` values go (len = seq slots + 1).

    Joined with a subscriber's seq between the parts, it is orjson's text for
    `{"data": {root_key: value with seq}}` closed with the frame's last brace.
    """
    parts: list[str] = []
    current = "{" + orjson.dumps(root_key).decode() + ":{"
    first = True
    for key, item in value.items():
        current += ("" if first else ",") + orjson.dumps(key).decode() + ":"
        first = False
        if key in seq_keys:
            parts.append(current)
            current = ""
        else:
            current += orjson.dumps(item).decode()
    parts.append(current + "}}}}")
    return tuple(parts)


def frame_prefix(operation_id: str) -> str:
    """What precedes the body in a `next` message for this operation id."""
    return '{"id":' + orjson.dumps(operation_id).decode() + ',"type":"next","payload":{"data":'


class FrameCache:
    """Serialized bodies by (plan key, event), oldest evicted first."""

    def __init__(self, size: int = _FRAMES_KEPT) -> None:
        self._size = size
        # OrderedDict: evicting a plain dict's first key scans the slots its earlier deletions
        # left at the front (~9 µs a put at 20,000 entries), popitem(last=False) does not.
        self._entries: OrderedDict[tuple[object, ...], tuple[str, ...]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[object, ...]) -> tuple[str, ...] | None:
        return self._entries.get(key)

    def put(self, key: tuple[object, ...], parts: tuple[str, ...]) -> None:
        if len(self._entries) >= self._size and key not in self._entries:
            self._entries.popitem(last=False)
        self._entries[key] = parts


class DirectSender:
    """Sends one subscription's compiled events as frames; False means: take the normal path."""

    def __init__(self, target: DirectTarget, plan: Plan, frames: FrameCache) -> None:
        assert plan.key is not None
        assert plan.render is not None
        self._target = target
        self._plan = plan
        self._key = plan.key
        self._render = plan.render
        self._frames = frames
        self._prefix = frame_prefix(target.operation.id)
        self._nowait = (
            NowaitSend.for_socket(target.websocket) if patches.enabled("uvicorn.nowait_send") else None
        )

    @property
    def can_send_now(self) -> bool:
        """Whether `send_now` can ever succeed on this socket's server."""
        return self._nowait is not None

    @classmethod
    def for_subscription(cls, info: Any) -> DirectSender | None:
        """The sender for the subscription resolving `info`, or None when it must use graphql-core."""
        target = current_target()
        ctx = info.context
        shared: SharedResults | None = getattr(ctx, "shared_results", None)
        frames: FrameCache | None = getattr(ctx, "live_frames", None)
        if target is None or shared is None or frames is None:
            return None
        raw = strawberry_patch.raw_info(info)
        variables = raw.variable_values
        plan = plan_for(
            raw.schema,
            raw.operation,
            raw.fragments,
            getattr(variables, "coerced", variables),
            ctx.principal,
            shared.compiled,
        )
        if plan.key is None or plan.render is None:
            return None
        return cls(target, plan, frames)

    def _parts(self, event: LiveEvent) -> tuple[str, ...] | None:
        key = (self._key, *event.share_key())
        parts = self._frames.get(key)
        if parts is not None:
            self._frames.hits += 1
            return parts
        self._frames.misses += 1
        try:
            value = self._render(event)
            if not isinstance(value, dict):
                return None
            parts = body_parts(self._plan.root_key, value, self._plan.seq_keys)
        except Exception:  # FallbackError, a value orjson refuses: graphql-core decides
            return None
        self._frames.put(key, parts)
        return parts

    def _open(self) -> bool:
        operation = self._target.operation
        return not operation.completed and self._target.operations.get(operation.id) is operation

    def _text(self, parts: tuple[str, ...], seq: int) -> str:
        return self._prefix + (parts[0] if len(parts) == 1 else str(seq).join(parts))

    def send_now(self, event: LiveEvent) -> bool:
        """Writes the event's frame without awaiting; False: nothing was sent, await `send`."""
        if self._nowait is None or not self._open():
            return False
        parts = self._parts(event)
        if parts is None or not self._nowait.write(self._text(parts, event.seq)):
            return False
        metrics.LIVE_PUBLISH.inc()
        return True

    async def send(self, event: LiveEvent) -> bool:
        """Sends the event's frame; False if it must go through graphql-core instead."""
        if not self._open():
            return True  # the client completed it: the task is being cancelled, send nothing
        parts = self._parts(event)
        if parts is None:
            return False
        text = self._text(parts, event.seq)
        try:
            await self._target.websocket.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc
        metrics.LIVE_DIRECT.inc()
        return True
