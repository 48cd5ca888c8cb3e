"""The ingest Starlette app, with a direct way in for its one hot route.

POST /v1/reports is most of the traffic: it goes straight to its handler, skipping the
middleware stack and the route scan (a sixth of the CPU per single-report request in the
profile). Everything else, and every other method on that path, goes through Starlette.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


class IngestApp(Starlette):
    def __init__(self, hot: Route, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hot_path = hot.path
        self._hot = hot.endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self._hot_path and scope["method"] == "POST":
            scope["app"] = self
            response = await self._hot(Request(scope, receive, send))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
