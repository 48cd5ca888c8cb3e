"""The monitor behind a request's bearer token, for the monitor app's routes, or the refusal to send."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from services.ingest.auth import bearer_token
from services.ingest.context import Services
from services.ingest.errors import UnavailableError
from services.ingest.instrumentation import error
from services.ingest.monitors import Monitor

UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="pollwatch"'}


async def monitor_or_refusal(request: Request) -> Monitor | Response:
    """401 without a known, active token; 503 (with Retry-After) when the monitor store is down."""
    svc: Services = request.app.state.services
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return error(
            401, "unauthenticated", "authorization", "send Authorization: Bearer <token>", UNAUTHORIZED
        )
    try:
        monitor = await svc.auth.by_token(token)
    except UnavailableError:
        retry = {"Retry-After": str(svc.settings.retry_after_seconds)}
        return error(503, "unavailable", "authorization", "monitor store unreachable; retry", retry)
    if monitor is None:
        return error(401, "invalid_token", "authorization", "the token is unknown or revoked", UNAUTHORIZED)
    return monitor
