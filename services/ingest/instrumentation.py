"""Request latency and in-flight gauges around a handler, and the shared error body."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.ingest.metrics import IngestMetrics

Handler = Callable[[Request], Awaitable[Response]]


def instrumented(metrics: IngestMetrics, route: str, handler: Handler) -> Handler:
    gauge = metrics.in_flight.labels(route)

    async def wrapped(request: Request) -> Response:
        started = time.perf_counter()
        gauge.inc()
        status = 500
        try:
            response = await handler(request)
            status = response.status_code
            return response
        finally:
            gauge.dec()
            metrics.request_duration.labels(route, str(status)).observe(time.perf_counter() - started)

    return wrapped


def error(
    status: int, code: str, field: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The error body of a request refused as a whole; `field` names the part at fault."""
    body = {"error": {"code": code, "field": field, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it exceeds `limit` bytes (checked before and while reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
