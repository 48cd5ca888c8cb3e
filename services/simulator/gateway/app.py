"""The simulated gateway's HTTP API: Twilio's Messages endpoint, the generic JSON gateway's,
Telerivet's, RapidPro's and Africa's Talking's (apis.py), and `GET /simulator/texted` (what it
would have put on phones, for tests and the demo)."""

from __future__ import annotations

import base64
import hmac
import re
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.messenger.gateways.http import form_fields
from services.simulator.gateway import apis
from services.simulator.gateway.callbacks import Callbacks
from services.simulator.gateway.settings import GatewaySimSettings
from services.simulator.gateway.store import Store

_E164 = re.compile(r"\+[1-9]\d{6,14}")
MAX_TEXT = 1600


class Gate:
    """The simulated gateway's own refusals: its rate limit and injected errors."""

    def __init__(self, settings: GatewaySimSettings) -> None:
        self._settings = settings
        self._recent: deque[float] = deque()
        self._count = 0

    def refusal(self) -> int | None:
        """429 when over the rate, 500 on every error_every-th request, else None."""
        self._count += 1
        now = time.monotonic()
        while self._recent and now - self._recent[0] > 1:
            self._recent.popleft()
        if self._settings.rate_limit and len(self._recent) >= self._settings.rate_limit:
            return 429
        self._recent.append(now)
        if self._settings.error_every and self._count % self._settings.error_every == 0:
            return 500
        return None


def create_app(settings: GatewaySimSettings) -> Starlette:
    store = Store()
    gate = Gate(settings)
    client = httpx.AsyncClient(timeout=10)
    callbacks = Callbacks(settings, client)

    def twilio_error(status: int, code: int, message: str) -> Response:
        store.refused += 1
        headers = {"Retry-After": "1"} if status == 429 else None
        return JSONResponse({"code": code, "message": message, "status": status}, status, headers)

    async def twilio_send(request: Request) -> Response:
        store.requests += 1
        expected = f"{settings.twilio_account_sid}:{settings.twilio_auth_token.get_secret_value()}"
        given = request.headers.get("authorization", "").removeprefix("Basic ")
        try:
            decoded = base64.b64decode(given).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        if request.path_params["sid"] != settings.twilio_account_sid or not hmac.compare_digest(
            decoded, expected
        ):
            return twilio_error(401, 20003, "Authenticate")
        if (refused := gate.refusal()) is not None:
            return twilio_error(
                refused,
                20429 if refused == 429 else 20500,
                "Too Many Requests" if refused == 429 else "Internal Server Error",
            )
        form = form_fields(await request.body())
        to, body = form.get("To", ""), form.get("Body", "")
        if not _E164.fullmatch(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not body or len(body) > MAX_TEXT:
            return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        callback = form.get("StatusCallback", "")
        reference = parse_qs(urlsplit(callback).query).get("send", [""])[0]
        sms = store.add("twilio", to, body, reference)
        if callback:
            callbacks.after_twilio_send(sms, callback)
        return JSONResponse({"sid": sms.gateway_id, "status": "queued", "to": to, "body": body}, 201)

    async def generic_send(request: Request) -> Response:
        store.requests += 1
        token = settings.token
        if token is not None and request.headers.get("authorization") != f"Bearer {token.get_secret_value()}":
            store.refused += 1
            return JSONResponse({"error": "bad token"}, 401)
        if (refused := gate.refusal()) is not None:
            store.refused += 1
            headers = {"Retry-After": "1"} if refused == 429 else None
            return JSONResponse({"error": "simulated refusal"}, refused, headers)
        try:
            data = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            data = None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("id"), str)
            or not isinstance(data.get("text"), str)
        ):
            store.refused += 1
            return JSONResponse({"error": "expected {id, to, text}"}, 400)
        to = data.get("to")
        if not isinstance(to, str) or not _E164.fullmatch(to):
            store.refused += 1
            return JSONResponse({"error": "to: not an E.164 number"}, 422)
        known = store.by_reference.get(data["id"])
        if known is not None:  # the same message again: sent once, its statuses told again
            if isinstance(callback := data.get("callback_url"), str):
                callbacks.after_generic_send(known, callback, repeated=True)
            return JSONResponse({"id": known.gateway_id, "duplicate": True}, 200)
        sms = store.add("generic", to, data["text"], data["id"])
        if isinstance(callback := data.get("callback_url"), str):
            callbacks.after_generic_send(sms, callback)
        return JSONResponse({"id": sms.gateway_id}, 202)

    async def texted(_: Request) -> Response:
        return Response(orjson.dumps(store.as_json()), media_type="application/json")

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await callbacks.close()
            await client.aclose()

    return Starlette(
        routes=[
            Route("/2010-04-01/Accounts/{sid}/Messages.json", twilio_send, methods=["POST"]),
            Route("/v1/messages", generic_send, methods=["POST"]),
            *apis.routes(settings, store, gate.refusal, callbacks),
            Route("/simulator/texted", texted, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
