"""The live dashboard: the static files `make setup` builds into web/dist, served at `/`.

The dashboard talks only to this service's public GraphQL endpoint, so it is served from the same
origin (WebSocket handshakes from it pass the same-origin check). Nothing is mounted when the
build is missing: the API works without it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"

# Only this origin's scripts, styles and connections; no framing; keys never leak via Referer.
SECURITY_HEADERS = {
    b"content-security-policy": (
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
}


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def dashboard_routes(directory: Path = DIST) -> list[BaseRoute]:
    """A catch-all Mount at `/` for the built dashboard (put it after every other route), or nothing."""
    if not (directory / "index.html").is_file():
        return []
    static = StaticFiles(directory=directory, html=True)
    return [Mount("/", app=_SecurityHeaders(static), name="dashboard")]
