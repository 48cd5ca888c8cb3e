"""POST /v1/evidence?station_id=...: a monitor's photo (JPEG or PNG), stored once by its SHA-256.

Answers 201 when stored, 200 when the same bytes were stored before (a retry), with the id a
report then names in `evidence_ids`. The photo is bound to a station the monitor is assigned to.
"""

from __future__ import annotations

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.ingest.context import Services
from services.ingest.evidence import EvidenceError, photo
from services.ingest.evidence_store import store_photo
from services.ingest.instrumentation import error, instrumented, read_body
from services.ingest.metrics import IngestMetrics
from services.ingest.monitor_api import MonitorApi
from services.ingest.monitor_auth import monitor_or_refusal
from services.ingest.settings import IngestSettings


def evidence_routes(settings: IngestSettings, metrics: IngestMetrics) -> list[Route]:
    retry = {"Retry-After": str(settings.retry_after_seconds)}
    uploads = metrics.evidence_uploads

    async def post_evidence(request: Request) -> Response:
        monitor = await monitor_or_refusal(request)
        if isinstance(monitor, Response):
            return monitor
        svc: Services = request.app.state.services
        api: MonitorApi | None = request.app.state.monitor_api
        if api is None:
            return error(503, "unavailable", "body", "the photo store is not open; retry", retry)
        station = request.query_params.get("station_id")
        if not station:
            uploads.labels("rejected", "required").inc()
            return error(400, "required", "station_id", "name the station: ?station_id=ALA-0123")
        if station not in svc.stations.registered:
            uploads.labels("rejected", "unknown_station").inc()
            return error(
                422, "unknown_station", "station_id", f"no polling station {station!r} in the registry"
            )
        if station not in monitor.stations:
            uploads.labels("rejected", "station_not_assigned").inc()
            return error(
                403, "station_not_assigned", "station_id", f"you are not assigned to station {station!r}"
            )
        body = await read_body(request, settings.evidence_max_bytes)
        if body is None:
            uploads.labels("rejected", "too_large").inc()
            return error(413, "too_large", "body", f"a photo is at most {settings.evidence_max_bytes} bytes")
        try:
            taken = photo(body, request.headers.get("content-type", ""))
        except EvidenceError as exc:
            uploads.labels("rejected", exc.code).inc()
            return error(exc.status, exc.code, exc.field, str(exc))
        try:
            stored = await store_photo(api.pool, taken, station, monitor.id)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            uploads.labels("unavailable", "postgres").inc()
            return error(503, "unavailable", "body", "the photo store is unreachable; retry", retry)
        uploads.labels("stored" if stored else "duplicate", "").inc()
        if stored:
            metrics.evidence_bytes.inc(len(body))
        answer = {"id": taken.id, "media_type": taken.media_type, "size_bytes": len(body)}
        return JSONResponse(answer, status_code=201 if stored else 200)

    return [Route("/v1/evidence", instrumented(metrics, "evidence", post_evidence), methods=["POST"])]
