"""The typed per-request context: who is asking, the pool, the hub and the DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from strawberry.types import Info as StrawberryInfo

from services.api.auth import Principal, Role
from services.api.broadcast_publisher import BroadcastPublisher
from services.api.decision_publisher import DecisionPublisher
from services.api.errors import ForbiddenError
from services.api.key_store import KeyStore
from services.api.live.frames import FrameCache
from services.api.live.hub import Hub
from services.api.loaders import Loaders
from services.api.review_live import ReviewChannel
from services.api.settings import ApiSettings
from services.api.shared_execution import SharedResults
from services.api.throttle import Throttle, bucket_of


@dataclass
class Context:
    pool: asyncpg.Pool
    hub: Hub
    settings: ApiSettings
    keys: KeyStore
    loaders: Loaders
    principal: Principal
    # Set by strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, Any] | None = None
    request: Any = field(default=None, repr=False)
    # Subscription event executions shared between subscribers (see shared_execution).
    shared_results: SharedResults | None = field(default=None, repr=False)
    # Serialized frames for subscribers on the direct path (see live.frames).
    live_frames: FrameCache | None = field(default=None, repr=False)
    # The per-key operation and cost budgets (None: not throttled, e.g. in-process tests).
    throttle: Throttle | None = field(default=None, repr=False)
    # The HTTP response being built (status and headers can be set), None over a WebSocket.
    response: Any = field(default=None, repr=False)
    # Whether the Kafka feed is live: subscriptions need it (see live.feed_health).
    feed_live: Callable[[], bool] = field(default=lambda: True, repr=False)
    # Writes messages to monitors to the broadcasts topic (None: not in this process).
    broadcasts: BroadcastPublisher | None = field(default=None, repr=False)
    # Publishes verification decisions to Kafka (None: in-process tests without a broker).
    decisions: DecisionPublisher | None = field(default=None, repr=False)
    # Review items as coordinators claim and decide them (see review_live).
    review: ReviewChannel = field(default_factory=ReviewChannel, repr=False)

    def require(self, role: Role, what: str) -> None:
        """Raises ForbiddenError naming `what` unless the caller's role includes `role`."""
        if not self.principal.role.includes(role):
            raise ForbiddenError(
                f"{what} requires the {role.value} role (this key is {self.principal.role.value})",
                field=what,
            )

    @property
    def region_scope(self) -> list[str] | None:
        """The only regions this key reads (sorted), or None for every region."""
        regions = self.principal.regions
        return None if regions is None else sorted(regions)

    def require_region(self, region_id: str, what: str) -> None:
        """Raises ForbiddenError naming `what` when the key is limited to other regions."""
        if not self.principal.may_read_region(region_id):
            raise ForbiddenError(f"{what}: outside this key's regions", field=what)

    @property
    def rate_bucket(self) -> str:
        """Whose budgets this request spends: the key's, or the client address's if anonymous."""
        client = getattr(self.request, "client", None)
        return bucket_of(self.principal, client.host if client else "")

    def key_known_active(self) -> bool:
        """The cached answer, without waiting; False means: await `ensure_key_active`."""
        return self.keys.known_active(self.principal)

    async def ensure_key_active(self) -> None:
        await self.keys.ensure_active(self.principal)


Info = StrawberryInfo[Context, None]
