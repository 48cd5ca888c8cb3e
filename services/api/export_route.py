"""`GET /export/{dataset}.{csv|xlsx|parquet}`: an authenticated, streamed download
(services/api/export.py, export_formats.py).

The key (X-API-Key or Authorization: Bearer) decides the columns and rows, as in GraphQL.
Query parameters: `region`, `since`, `until` (ISO 8601 with an offset), `verified_only` (true).
Refusals are JSON `{"error": {"code", "message", "parameter"}}` (as /v1/evidence's) with 400,
401, 403, 404 or 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.api.auth import Principal, key_from_headers
from services.api.errors import UnauthenticatedError, UnavailableError
from services.api.export import DATASETS, ExportFilter
from services.api.export_formats import FORMATS
from services.api.key_store import KeyStore


class _RefusedError(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


_CODES = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    503: "unavailable",
}


def _answer(refusal: _RefusedError) -> JSONResponse:
    """The refusal in the shape of /v1/evidence's, naming the parameter at fault if any."""
    error = {"code": _CODES[refusal.status], "message": refusal.message, "parameter": refusal.parameter}
    return JSONResponse({"error": error}, status_code=refusal.status)


def _instant(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise _RefusedError(
            400, f"{name}: an ISO 8601 time with an offset, e.g. 2026-03-15T08:00:00+05:00", name
        )
    return value


def _filter(request: Request, who: Principal) -> ExportFilter:
    region = request.query_params.get("region")
    if region is not None and not who.may_read_region(region):
        raise _RefusedError(403, "region: outside this key's regions", "region")
    flag = request.query_params.get("verified_only", "false").lower()
    if flag not in ("true", "false", "1", "0"):
        raise _RefusedError(400, "verified_only: true or false", "verified_only")
    return ExportFilter(region, _instant(request, "since"), _instant(request, "until"), flag in ("true", "1"))


def export_routes(resources: Callable[[], tuple[asyncpg.Pool | None, KeyStore | None]]) -> list[Route]:
    """The download route, over the app's pool and key store once its lifespan opened them."""

    async def download(request: Request) -> Response:
        current_pool, store = resources()
        if current_pool is None or store is None:
            return _answer(_RefusedError(503, "the API is starting; retry"))
        try:
            dataset = DATASETS.get(request.path_params["dataset"])
            if dataset is None:
                raise _RefusedError(404, f"no dataset; one of {', '.join(DATASETS)}", "dataset")
            form = FORMATS.get(request.path_params["format"])
            if form is None:
                raise _RefusedError(404, f"no format; one of {', '.join(FORMATS)}", "format")
            token = key_from_headers(dict(request.headers))
            if token is None:
                raise _RefusedError(401, "an API key is required (X-API-Key header)")
            try:
                who = await store.authenticate(token)
            except UnauthenticatedError as exc:
                raise _RefusedError(401, exc.message) from None
            except UnavailableError:
                raise _RefusedError(503, "the database is unreachable; retry") from None
            if not who.role.includes(dataset.role):
                raise _RefusedError(
                    403,
                    f"{dataset.name} requires the {dataset.role.value} role (this key is {who.role.value})",
                )
            wanted = _filter(request, who)
        except _RefusedError as exc:
            return _answer(exc)

        async def body() -> AsyncIterator[bytes]:
            async with current_pool.acquire() as conn:
                async for chunk in form.chunks(conn, dataset, who, wanted):
                    yield chunk

        disposition = f'attachment; filename="pollwatch-{dataset.name}.{form.name}"'
        return StreamingResponse(
            body(), media_type=form.media_type, headers={"content-disposition": disposition}
        )

    return [Route("/export/{dataset}.{format}", download, methods=["GET"])]
