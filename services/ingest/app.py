"""The ingest ASGI application; its lifespan opens the services the handlers use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.common.infra.clock import Clock, SystemClock
from services.common.infra.health import health_routes
from services.ingest.asgi import IngestApp
from services.ingest.contestants import load_contestants
from services.ingest.context import Services
from services.ingest.evidence_route import evidence_routes
from services.ingest.forms import forms_document
from services.ingest.lifespan import OpenServices, open_services
from services.ingest.metrics import IngestMetrics
from services.ingest.monitor_api import MonitorApi
from services.ingest.monitor_app import monitor_app_routes
from services.ingest.monitor_routes import monitor_routes
from services.ingest.openapi import openapi_document
from services.ingest.reports_route import report_routes
from services.ingest.settings import IngestSettings
from services.ingest.sms_route import sms_routes


def create_app(
    settings: IngestSettings,
    clock: Clock | None = None,
    metrics: IngestMetrics | None = None,
    services: OpenServices = open_services,
) -> Starlette:
    """`services` opens what the handlers use for the app's lifetime: by default on Kafka and
    PostgreSQL (services/ingest/lifespan.py); tests hand in-process ones."""
    metrics = metrics or IngestMetrics()
    opened: list[Services] = []
    document = openapi_document()
    forms = forms_document(load_contestants(settings.contestants_file))  # fails fast on a bad file

    async def ready() -> dict[str, bool]:
        return await opened[0].ready() if opened else {"started": False}

    async def openapi(_: Request) -> Response:
        return JSONResponse(document)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with services(settings, metrics, clock or SystemClock()) as ready_services:
            opened[:] = [ready_services]
            app.state.services = ready_services
            # The monitor app's reads and photos need PostgreSQL itself; in-process fakes have none.
            pool = ready_services.pool
            app.state.monitor_api = MonitorApi(pool, forms) if pool is not None else None
            yield

    reports = report_routes(settings, metrics)
    routes = [
        *reports,
        *sms_routes(settings, metrics),
        *monitor_routes(settings, metrics),
        *evidence_routes(settings, metrics),
        Route("/openapi.json", openapi, methods=["GET"]),
        *health_routes(ready, metrics.exposed),
        *monitor_app_routes(),
    ]
    return IngestApp(reports[0], routes=routes, lifespan=lifespan)
