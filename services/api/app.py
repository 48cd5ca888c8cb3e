"""The API ASGI application: GraphQL, health and metrics; the lifespan owns the pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from services.api.schema import schema
from services.api.settings import ApiSettings
from services.common.db import create_pool, database_reachable
from services.common.health import health_routes


class PollwatchGraphQL(GraphQL[dict[str, Any], None]):
    def __init__(self, pools: list[asyncpg.Pool], graphiql: bool) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self._pools = pools

    async def get_context(self, request: Request | WebSocket, response: Any) -> dict[str, Any]:
        return {"pool": self._pools[0], "request": request}


def create_app(settings: ApiSettings) -> Starlette:
    pools: list[asyncpg.Pool] = []

    async def ready() -> dict[str, bool]:
        return {"postgres": bool(pools) and await database_reachable(pools[0])}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        pools.append(await create_pool(settings.shared))
        try:
            yield
        finally:
            await pools.pop().close()

    graphql = PollwatchGraphQL(pools, settings.graphiql)
    routes = [*health_routes(ready), Route("/graphql", graphql, methods=["GET", "POST"])]
    return Starlette(routes=routes, lifespan=lifespan)
