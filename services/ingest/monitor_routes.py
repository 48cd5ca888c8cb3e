"""The monitor app's reads: who am I (GET /v1/me), my station as the server sees it
(GET /v1/me/stations/{station_id}), the coordinators' messages to me (GET /v1/me/messages) and the
forms (GET /v1/forms). Each needs the monitor's token
and answers only about that monitor and its stations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.ingest.context import Services
from services.ingest.instrumentation import error, instrumented
from services.ingest.metrics import IngestMetrics
from services.ingest.monitor_api import MonitorApi
from services.ingest.monitor_auth import monitor_or_refusal
from services.ingest.monitor_queries import (
    monitor_language,
    monitor_messages,
    monitor_reports,
    station_figures,
    stations,
)
from services.ingest.monitors import Monitor
from services.ingest.settings import IngestSettings

RECENT_REPORTS = 50
RECENT_MESSAGES = 20
# Per-monitor answers: never stored by a shared cache.
PRIVATE = {"Cache-Control": "private, no-store"}
Read = Callable[[Request, Monitor, MonitorApi], Awaitable[Response]]


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers or PRIVATE, media_type="application/json")


def monitor_routes(settings: IngestSettings, metrics: IngestMetrics) -> list[Route]:
    retry = {"Retry-After": str(settings.retry_after_seconds)}

    def authenticated(route: str, read: Read) -> Callable[[Request], Awaitable[Response]]:
        async def handler(request: Request) -> Response:
            monitor = await monitor_or_refusal(request)
            if isinstance(monitor, Response):
                return monitor
            api: MonitorApi | None = request.app.state.monitor_api
            if api is None:
                return error(503, "unavailable", "body", "the database is not open; retry", retry)
            try:
                return await read(request, monitor, api)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                return error(503, "unavailable", "body", "the database is unreachable; retry", retry)

        return instrumented(metrics, route, handler)

    async def me(request: Request, monitor: Monitor, api: MonitorApi) -> Response:
        svc: Services = request.app.state.services
        body = {
            "monitor": {
                "id": monitor.id,
                "name": monitor.display_name,
                "language": await monitor_language(api.pool, monitor.id),
            },
            "stations": await stations(api.pool, monitor.stations),
            # The phone compares its clock with this: a wrong clock gets reports refused (in_future).
            "server_time": svc.clock.now().isoformat(),
        }
        return _json(body)

    async def my_station(request: Request, monitor: Monitor, api: MonitorApi) -> Response:
        station_id = request.path_params["station_id"]
        if station_id not in monitor.stations:
            message = f"you are not assigned to station {station_id!r}"
            return error(403, "station_not_assigned", "station_id", message)
        body: dict[str, Any] = {
            "station_id": station_id,
            "figures": await station_figures(api.pool, station_id),
            "reports": await monitor_reports(api.pool, station_id, monitor.id, RECENT_REPORTS),
        }
        return _json(body)

    async def messages(_: Request, monitor: Monitor, api: MonitorApi) -> Response:
        return _json({"messages": await monitor_messages(api.pool, monitor.id, RECENT_MESSAGES)})

    async def forms(request: Request, _: Monitor, api: MonitorApi) -> Response:
        headers = {"ETag": api.forms.etag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == api.forms.etag:
            return Response(status_code=304, headers=headers)
        return Response(api.forms.body, 200, headers, media_type="application/json")

    return [
        Route("/v1/me", authenticated("me", me), methods=["GET"]),
        Route("/v1/me/stations/{station_id}", authenticated("my_station", my_station), methods=["GET"]),
        Route("/v1/me/messages", authenticated("my_messages", messages), methods=["GET"]),
        Route("/v1/forms", authenticated("forms", forms), methods=["GET"]),
    ]
