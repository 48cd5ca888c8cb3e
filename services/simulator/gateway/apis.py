"""The simulated gateway's Telerivet, RapidPro and Africa's Talking endpoints: each checks the
API's credentials and answers, refuses and reports statuses in that API's own shape
(services/messenger/gateways/ documents each)."""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from services.messenger.gateways.africastalking import SEND_PATH as AT_SEND_PATH
from services.messenger.gateways.http import form_fields
from services.messenger.gateways.rapidpro import BROADCASTS_PATH, MESSAGES_PATH
from services.simulator.gateway.callbacks import Callbacks
from services.simulator.gateway.settings import GatewaySimSettings
from services.simulator.gateway.store import Store

_E164 = re.compile(r"\+[1-9]\d{6,14}")
MAX_TEXT = 1600
Refusal = Callable[[], int | None]


def _basic_user(request: Request) -> str:
    given = request.headers.get("authorization", "").removeprefix("Basic ")
    try:
        return base64.b64decode(given).decode().partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return ""


def _json(raw: bytes) -> dict[str, object]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def routes(settings: GatewaySimSettings, store: Store, refusal: Refusal, callbacks: Callbacks) -> list[Route]:
    def busy(code: int, body: object) -> Response:
        store.refused += 1
        headers = {"Retry-After": "1"} if code == 429 else None
        if isinstance(body, str):
            return PlainTextResponse(body, code, headers)
        return JSONResponse(body, code, headers)

    async def telerivet_send(request: Request) -> Response:
        store.requests += 1

        def error(status: int, code: str, message: str) -> Response:
            return busy(status, {"error": {"code": code, "message": message}})

        key = settings.telerivet_api_key.get_secret_value()
        if request.path_params["project"] != settings.telerivet_project_id or not hmac.compare_digest(
            _basic_user(request), key
        ):
            return error(401, "unauthorized", "Invalid API key")
        if (refused := refusal()) is not None:
            return error(refused, "rate_limited" if refused == 429 else "internal_error", "simulated refusal")
        data = _json(await request.body())
        to, content = data.get("to_number"), data.get("content")
        if not isinstance(to, str) or not _E164.fullmatch(to):
            return error(400, "invalid_param", "Invalid to_number")
        if not isinstance(content, str) or not content or len(content) > MAX_TEXT:
            return error(400, "invalid_param", "Invalid content")
        status_url, secret = data.get("status_url"), data.get("status_secret")
        reference = ""
        if isinstance(status_url, str):
            reference = parse_qs(urlsplit(status_url).query).get("send", [""])[0]
        sms = store.add("telerivet", to, content, reference)
        if isinstance(status_url, str):
            callbacks.after_telerivet_send(sms, status_url, secret if isinstance(secret, str) else "")
        body = {"id": sms.gateway_id, "status": "queued", "to_number": to, "content": content}
        return JSONResponse(body | {"project_id": settings.telerivet_project_id, "direction": "outgoing"})

    async def rapidpro_send(request: Request) -> Response:
        store.requests += 1
        token = settings.rapidpro_token.get_secret_value()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Token {token}"):
            return busy(403, {"detail": "Authentication credentials were not provided."})
        if (refused := refusal()) is not None:
            detail = "Request was throttled." if refused == 429 else "Server Error"
            return busy(refused, {"detail": detail})
        data = _json(await request.body())
        urns, text = data.get("urns"), data.get("text")
        if not isinstance(urns, list) or len(urns) != 1 or not isinstance(urns[0], str):
            return busy(400, {"urns": ["This simulator takes one URN a broadcast."]})
        to = urns[0].removeprefix("tel:")
        if not urns[0].startswith("tel:") or not _E164.fullmatch(to):
            return busy(400, {"urns": [f"Invalid URN: {urns[0]}"]})
        if not isinstance(text, str) or not text or len(text) > MAX_TEXT:
            return busy(400, {"text": ["This field is required."]})
        sms = store.add("rapidpro", to, text, "")
        callbacks.after_rapidpro_send(sms)
        body = {"id": int(sms.gateway_id), "urns": urns, "contacts": [], "groups": [], "text": text}
        return JSONResponse(body | {"status": "queued"}, 201)

    async def rapidpro_messages(request: Request) -> Response:
        token = settings.rapidpro_token.get_secret_value()
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Token {token}"):
            return JSONResponse({"detail": "Authentication credentials were not provided."}, 403)
        sms = store.by_gateway_id.get(request.query_params.get("broadcast", ""))
        results = []
        if sms is not None and sms.api == "rapidpro":
            status = sms.statuses[-1] if sms.statuses else "queued"
            results.append(
                {
                    "id": int(sms.gateway_id) * 10,
                    "broadcast": int(sms.gateway_id),
                    "urn": f"tel:{sms.to}",
                    "direction": "out",
                    "type": "text",
                    "status": status,
                    "text": sms.text,
                }
            )
        return JSONResponse({"next": None, "previous": None, "results": results})

    async def africastalking_send(request: Request) -> Response:
        store.requests += 1
        key = settings.africastalking_api_key.get_secret_value()
        form = form_fields(await request.body())
        if not hmac.compare_digest(request.headers.get("apikey", ""), key) or (
            form.get("username") != settings.africastalking_username
        ):
            return busy(401, "The supplied authentication is invalid")
        if (refused := refusal()) is not None:
            return busy(refused, "Too Many Requests" if refused == 429 else "Internal Server Error")
        to, message = form.get("to", ""), form.get("message", "")
        if not message or len(message) > MAX_TEXT:
            return busy(400, "Missing message")
        if not _E164.fullmatch(to):
            recipient = {"statusCode": 403, "number": to, "status": "InvalidPhoneNumber", "cost": "0"}
            return JSONResponse(
                {"SMSMessageData": {"Message": "Sent to 0/1", "Recipients": [recipient]}}, 201
            )
        sms = store.add("africastalking", to, message, "")
        callbacks.after_africastalking_send(sms)
        recipient = {
            "statusCode": 101,
            "number": to,
            "status": "Success",
            "cost": "KES 0.8000",
            "messageId": sms.gateway_id,
        }
        return JSONResponse(
            {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients": [recipient]}},
            201,
        )

    return [
        Route("/v1/projects/{project}/messages/send", telerivet_send, methods=["POST"]),
        Route(BROADCASTS_PATH, rapidpro_send, methods=["POST"]),
        Route(MESSAGES_PATH, rapidpro_messages, methods=["GET"]),
        Route(AT_SEND_PATH, africastalking_send, methods=["POST"]),
    ]
