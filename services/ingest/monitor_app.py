"""The monitor app: the static files `make setup` builds into web/dist-monitor, served at `/m/`.

Same origin as /v1/reports, so the app needs no CORS and its service worker (scope /m/) keeps the
shell for offline use. Hashed assets are cached for good; the page, the worker and the manifest are
revalidated on every load (a new build reaches phones at their next visit online). Gzipped on the
way out: the first load over a weak signal is the one that counts. Nothing is mounted when the
build is missing: ingest works without it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIST = Path(__file__).resolve().parents[2] / "web" / "dist-monitor"
PREFIX = "/m"

# Only this origin; photos are previewed from blob: URLs; no framing; the token is never in a URL
# (it travels in the fragment, then in headers), and no-referrer keeps even the page's address home.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        b"connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
        b"base-uri 'none'; form-action 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"


class _Headers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hashed = scope["path"].startswith(f"{PREFIX}/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                cache = IMMUTABLE if hashed and message["status"] == 200 else REVALIDATE
                message["headers"] = [*headers, (b"cache-control", cache), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def monitor_app_routes(directory: Path = DIST) -> list[BaseRoute]:
    """A Mount at /m for the built app, or nothing when it is not built."""
    if not (directory / "index.html").is_file():
        return []
    static = StaticFiles(directory=directory, html=True)
    return [Mount(PREFIX, app=GZipMiddleware(_Headers(static), minimum_size=512), name="monitor_app")]
