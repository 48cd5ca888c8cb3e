"""The API ASGI application: GraphQL (HTTP and graphql-transport-ws), health and metrics.

The lifespan owns the asyncpg pool, the hub, the one Kafka feed and the review listener of this process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from services import patches
from services.api import availability, metrics
from services.api.auth import ANONYMOUS, Principal, key_from_headers
from services.api.broadcast_publisher import BroadcastPublisher
from services.api.context import Context
from services.api.dashboard import dashboard_routes
from services.api.decision_publisher import DecisionPublisher
from services.api.errors import UnauthenticatedError, UnavailableError
from services.api.evidence import evidence_routes
from services.api.export_route import export_routes
from services.api.key_store import KeyStore
from services.api.live.feed import KafkaFeed
from services.api.live.frames import FrameCache
from services.api.live.hub import Hub
from services.api.live.transport import LiveTransportWSHandler
from services.api.loaders import create_loaders
from services.api.review_live import ReviewChannel, ReviewListener
from services.api.schema import build_schema
from services.api.settings import ApiSettings
from services.api.shared_execution import SharedResults
from services.api.throttle import Throttle, bucket_of
from services.common.infra.db import create_pool, database_reachable
from services.common.infra.gc_freeze import FreezePolicy, run_freezer
from services.common.infra.health import health_routes
from services.patches.uvicorn import ServerSendMiddleware, spread_keepalive


@dataclass
class Resources:
    """What the lifespan opens; None until it has."""

    pool: asyncpg.Pool | None = None
    keys: KeyStore | None = None
    feed: KafkaFeed | None = None
    broadcasts: BroadcastPublisher | None = None
    decisions: DecisionPublisher | None = None

    def feed_live(self) -> bool:
        return self.feed is not None and self.feed.health.live


class PollwatchGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = LiveTransportWSHandler

    def __init__(self, settings: ApiSettings, hub: Hub, review: ReviewChannel, resources: Resources) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            # GET only serves GraphiQL: queries come by POST with their key in a header.
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            allowed_origins=settings.ws_origins,
        )
        self._settings = settings
        self._hub = hub
        self._review = review
        self._resources = resources
        self._throttle = Throttle(settings)
        self._shared_results = SharedResults()
        self._live_frames = FrameCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            try:
                await super().__call__(scope, receive, send)
            except UnavailableError as exc:  # raised before execution, e.g. by the key lookup
                await availability.http_response(exc)(scope, receive, send)
            return
        metrics.CONNECTIONS_ACTIVE.inc()
        try:
            await super().__call__(scope, receive, send)
        finally:
            metrics.CONNECTIONS_ACTIVE.dec()

    def encode_json(self, data: object) -> str:
        """orjson: several times faster than json.dumps on every frame and response."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:  # e.g. a JSON scalar holding a non-string key
            return super().encode_json(data)  # type: ignore[return-value]

    def _rate_check(self, principal: Principal, client: str) -> None:
        if (refused := self._throttle.operation(bucket_of(principal, client))) is not None:
            raise HTTPException(429, refused.message)

    async def _authenticate(self, token: str | None) -> Principal:
        assert self._resources.keys is not None
        if token is None:
            if self._settings.allow_anonymous:
                return ANONYMOUS
            raise UnauthenticatedError("an API key is required (X-API-Key header)")
        return await self._resources.keys.authenticate(token)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        pool, keys = self._resources.pool, self._resources.keys
        if pool is None or keys is None:
            raise HTTPException(503, "starting")
        websocket = isinstance(request, WebSocket)
        principal = ANONYMOUS
        if isinstance(request, Request) and request.method == "POST":
            try:
                principal = await self._authenticate(key_from_headers(dict(request.headers)))
            except UnauthenticatedError as exc:
                raise HTTPException(401, exc.message) from None
            self._rate_check(principal, request.client.host if request.client else "")
        return Context(
            pool=pool,
            hub=self._hub,
            settings=self._settings,
            keys=keys,
            loaders=create_loaders(pool, cache=not websocket),
            principal=principal,
            request=request,
            shared_results=self._shared_results if websocket else None,
            live_frames=self._live_frames if websocket else None,
            throttle=self._throttle,
            response=None if websocket else response,
            feed_live=self._resources.feed_live,
            broadcasts=self._resources.broadcasts,
            decisions=self._resources.decisions,
            review=self._review,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticates the connection_init payload's `apiKey` (or `X-API-Key`)."""
        params = context.connection_params or {}
        token = params.get("apiKey") or params.get("X-API-Key")
        try:
            context.principal = await self._authenticate(token if isinstance(token, str) else None)
        except UnauthenticatedError:
            raise ConnectionRejectionError from None
        client = context.request.client.host if context.request.client else ""
        try:
            self._rate_check(context.principal, client)
        except HTTPException:
            raise ConnectionRejectionError from None
        if isinstance(context.request, WebSocket) and patches.enabled("uvicorn.spread_keepalive"):
            spread_keepalive(context.request)
        return {"role": context.principal.role.value}


def create_app(settings: ApiSettings, hub: Hub | None = None) -> Starlette:
    hub = hub or Hub(metrics.PrometheusHubObserver())
    review = ReviewChannel(metrics.PrometheusHubObserver())
    resources = Resources()

    async def ready() -> dict[str, bool]:
        pool, feed = resources.pool, resources.feed
        kafka = feed.health.checks() if feed is not None else {"kafka": False, "feed": False}
        return {"postgres": pool is not None and await database_reachable(pool), **kafka}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        resources.pool = await create_pool(settings.shared)
        resources.keys = KeyStore(resources.pool, settings.key_cache_seconds)
        resources.broadcasts = BroadcastPublisher(settings.shared)
        resources.decisions = DecisionPublisher(settings.shared)
        dsn = settings.shared.database_url.get_secret_value()
        listener = ReviewListener(dsn, resources.pool, review, settings.shared.database_role)
        feed = KafkaFeed(
            settings.shared, hub, settings.feed_stale_seconds, settings.alert_backpressure_seconds
        )
        freezer = None
        if settings.gc_freeze_seconds > 0:
            freezer = asyncio.create_task(run_freezer(FreezePolicy(), settings.gc_freeze_seconds))
        try:
            await listener.start()
            await feed.start()
            resources.feed = feed
            yield
        finally:
            if freezer is not None:
                freezer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await freezer
            hub.close()
            review.close()
            await listener.stop()
            await feed.stop()
            broadcasts, resources.broadcasts = resources.broadcasts, None
            if broadcasts is not None:
                await broadcasts.stop()
            await resources.decisions.stop()
            pool, resources.pool = resources.pool, None
            await pool.close()

    graphql = PollwatchGraphQL(settings, hub, review, resources)
    routes = [
        *health_routes(ready),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *evidence_routes(lambda: (resources.pool, resources.keys)),
        *export_routes(lambda: (resources.pool, resources.keys)),
        *dashboard_routes(),  # last: it serves the dashboard at every other path
    ]
    middleware = [
        Middleware(ServerSendMiddleware),  # first: it must see the server's own send
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "x-api-key", "authorization"],
        ),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
