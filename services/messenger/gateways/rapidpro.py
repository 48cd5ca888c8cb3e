"""RapidPro's (and TextIt's) API v2: a broadcast to one URN out, its message's status polled.

Send: `POST {base}/api/v2/broadcasts.json` with `Authorization: Token <API token>` and JSON
`{"urns": ["tel:+7701..."], "text": "..."}`; 201 with the broadcast (`id`, `status`). Errors are
400 with the fields at fault (`{"urns": ["..."]}`) or `{"detail": "..."}`.
Statuses: RapidPro posts no delivery callbacks for messages sent through its API, so the
messenger asks: `GET {base}/api/v2/messages.json?broadcast=<id>` lists the broadcast's outgoing
message with its `status` (initializing, queued, wired, sent, delivered, handled, errored,
failed, resent); errored is retried by RapidPro itself. RapidPro does not deduplicate sends: an
interrupted send is left `unknown`.
"""

from __future__ import annotations

import httpx
import orjson
from starlette.requests import Request

from services.messenger.gateways.base import (
    Accepted,
    CallbackError,
    Outbound,
    Outcome,
    Rejected,
    Retry,
    StatusReport,
)
from services.messenger.gateways.http import json_object, not_taken, post, retry_after

BROADCASTS_PATH = "/api/v2/broadcasts.json"
MESSAGES_PATH = "/api/v2/messages.json"
_STATUSES = {"wired": "sent", "sent": "sent", "delivered": "delivered", "failed": "failed"}


def parse_messages(body: bytes, gateway_id: str) -> StatusReport | None:
    """The status of the broadcast's message from a messages.json page (None: not listed yet)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise CallbackError(f"malformed JSON: {exc}") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise CallbackError("expected {results: [...]}")
    for message in results:
        if isinstance(message, dict) and message.get("direction", "out") == "out":
            raw = str(message.get("status", ""))
            status = _STATUSES.get(raw)
            return StatusReport(None, gateway_id, status, f"rapidpro {raw}" if status == "failed" else None)
    return None


class RapidProGateway:
    name = "rapidpro"
    idempotent = False

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Token {token}"}

    @staticmethod
    def request_body(message: Outbound) -> dict[str, object]:
        return {"urns": [f"tel:{message.to}"], "text": message.text}

    async def send(self, message: Outbound) -> Outcome:
        response = await post(
            self._client, self._base + BROADCASTS_PATH, json=self.request_body(message), headers=self._headers
        )
        if not isinstance(response, httpx.Response):
            return response
        answer = json_object(response)
        if 200 <= response.status_code < 300 and answer.get("id") is not None:
            return Accepted(str(answer["id"]))
        if (retry := not_taken(response)) is not None:
            return retry
        detail = answer.get("detail") or "; ".join(f"{k}: {v}" for k, v in answer.items())
        return Rejected(f"rapidpro {response.status_code}: {detail}".strip())

    async def read_status(self, request: Request) -> StatusReport:
        raise CallbackError("RapidPro posts no status callbacks; its statuses are polled")

    async def poll_status(self, gateway_id: str) -> StatusReport | Retry | None:
        """The status of the message sent as RapidPro broadcast `gateway_id`; Retry when
        RapidPro could not be asked now; None when it lists no message yet."""
        try:
            response = await self._client.get(
                self._base + MESSAGES_PATH, params={"broadcast": gateway_id}, headers=self._headers
            )
        except httpx.TransportError as exc:
            return Retry(f"rapidpro unreachable ({exc.__class__.__name__})")
        if response.status_code != 200:
            return Retry(f"rapidpro {response.status_code}", retry_after(response))
        return parse_messages(response.content, gateway_id)
