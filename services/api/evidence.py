"""GET /v1/evidence/{id}: a monitor's evidence photo, for keys that may read incident details.

Analysts and admins only (as the GraphQL reports naming monitors): a photo taken from the
monitor's seat can identify them, so a partner key is refused (403) whatever its scope, and a
region-scoped key reads only photos of its regions' stations (404 otherwise, as if absent). The
answer carries the image and its type, never who sent it. Ids are SHA-256 digests: the bytes
behind one never change, so clients may cache them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.api.auth import Role, key_from_headers
from services.api.errors import UnauthenticatedError, UnavailableError
from services.api.key_store import KeyStore
from services.api.repository.evidence import photo_by_id

PHOTO_ID = re.compile(r"[0-9a-f]{64}")
HEADERS = {
    "Cache-Control": "private, max-age=86400, immutable",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
}
Resources = Callable[[], tuple[asyncpg.Pool | None, KeyStore | None]]


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def evidence_routes(resources: Resources) -> list[Route]:
    async def get_photo(request: Request) -> Response:
        pool, keys = resources()
        if pool is None or keys is None:
            return _refused(503, "starting", "the API is starting; retry")
        token = key_from_headers(dict(request.headers))
        if token is None:
            return _refused(401, "unauthenticated", "send an API key (X-API-Key header)")
        try:
            principal = await keys.authenticate(token)
        except UnauthenticatedError as exc:
            return _refused(401, "unauthenticated", exc.message)
        except UnavailableError:
            return _refused(503, "unavailable", "the database is unreachable; retry")
        if not principal.role.includes(Role.ANALYST):
            return _refused(403, "forbidden", "evidence photos are for analyst keys and above")
        photo_id = request.path_params["photo_id"]
        row = None
        if PHOTO_ID.fullmatch(photo_id):
            try:
                row = await photo_by_id(pool, photo_id)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                return _refused(503, "unavailable", "the database is unreachable; retry")
        if row is None or not principal.may_read_region(row["region_id"]):
            return _refused(404, "not_found", "no such photo")
        return Response(bytes(row["content"]), 200, HEADERS, media_type=row["media_type"])

    return [Route("/v1/evidence/{photo_id}", get_photo, methods=["GET"])]
