"""The generic JSON gateway: for an SMS service, relay or modem pool that speaks plain JSON.

Send: `POST <MESSENGER_GATEWAY_URL>` with `Authorization: Bearer <MESSENGER_GATEWAY_TOKEN>` and
`{"id": <send id>, "to": "+7701...", "text": "...", "callback_url": "..."}`; any 2xx with
`{"id": <its message id>}` takes it. The gateway must treat a second request with an `id` it
already has as the same message (answer 2xx or 409 with that message's id, send nothing, and
post its status callbacks to that request's `callback_url`), so an interrupted send is simply
sent again. 4xx other than 401/403/409/429 refuses the message
for good (`{"error": "..."}` says why).
Status callbacks: `POST <callback_url>` with `{"id": <its message id>, "reference": <send id>,
"status": "sent" | "delivered" | "failed", "error": "..."}`, signed with
`X-Pollwatch-Signature: sha256=<hex HMAC-SHA256 of the body>` keyed by
MESSENGER_CALLBACK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx
import orjson
from starlette.requests import Request

from services.messenger.gateways.base import (
    Accepted,
    CallbackError,
    Outbound,
    Outcome,
    Rejected,
    StatusReport,
)
from services.messenger.gateways.http import json_object, not_taken, post

STATUS_PATH = "/v1/status/generic"
SIGNATURE_HEADER = "x-pollwatch-signature"
_STATUSES = ("sent", "delivered", "failed")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class GenericGateway:
    name = "generic"
    idempotent = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        token: str | None,
        callback_secret: str | None,
        public_url: str,
    ) -> None:
        self._client = client
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._secret = callback_secret
        self._callback = public_url.rstrip("/") + STATUS_PATH

    async def send(self, message: Outbound) -> Outcome:
        body = {"id": message.send_id, "to": message.to, "text": message.text, "callback_url": self._callback}
        response = await post(self._client, self._url, json=body, headers=self._headers)
        if not isinstance(response, httpx.Response):
            return response
        answer = json_object(response)
        if 200 <= response.status_code < 300 or response.status_code == 409:
            return Accepted(str(answer.get("id") or message.send_id))
        if (retry := not_taken(response)) is not None:
            return retry
        return Rejected(f"gateway {response.status_code}: {answer.get('error', '')}".strip())

    async def read_status(self, request: Request) -> StatusReport:
        body = await request.body()
        if self._secret is not None:
            given = request.headers.get(SIGNATURE_HEADER, "")
            if not hmac.compare_digest(given.encode(), sign(self._secret, body).encode()):
                raise CallbackError(f"{SIGNATURE_HEADER} does not match", forbidden=True)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise CallbackError(f"malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise CallbackError("the body must be a JSON object")
        status = data.get("status")
        error = data.get("error")
        return StatusReport(
            _text(data.get("reference")),
            _text(data.get("id")),
            status if status in _STATUSES else None,
            _text(error),
        )


def _text(value: object) -> str | None:
    return str(value)[:500] if isinstance(value, str | int) and str(value) else None
