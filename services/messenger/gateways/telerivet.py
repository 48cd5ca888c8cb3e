"""Telerivet's REST API: sending a message from a project, and its status notifications.

Send: `POST {base}/v1/projects/{project_id}/messages/send` with HTTP basic auth (the API key as
user, no password) and JSON `{"to_number", "content", "route_id", "status_url", "status_secret"}`;
200 with the Message object (`id`, `status`). Errors are JSON `{"error": {"code", "message"}}`.
Status notifications: form posts to `status_url` with `secret` (our `status_secret`), `id`,
`status` (queued, sent, delivered, not_delivered, failed, failed_queued, cancelled, ...) and
`error_message`. Telerivet does not deduplicate sends: an interrupted send is left `unknown`.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote, urlencode

import httpx
from starlette.requests import Request

from services.messenger.gateways.base import (
    Accepted,
    CallbackError,
    Outbound,
    Outcome,
    Rejected,
    StatusReport,
)
from services.messenger.gateways.http import form_fields, json_object, not_taken, post

STATUS_PATH = "/v1/status/telerivet"
_STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "not_delivered": "failed",
    "failed": "failed",
    "failed_queued": "failed",
    "cancelled": "failed",
}


def send_path(project_id: str) -> str:
    return f"/v1/projects/{quote(project_id)}/messages/send"


class TelerivetGateway:
    name = "telerivet"
    idempotent = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        project_id: str,
        api_key: str,
        status_secret: str,
        public_url: str,
        route_id: str = "",
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + send_path(project_id)
        self._auth = (api_key, "")
        self._secret = status_secret
        self._route = route_id
        self._callback = public_url.rstrip("/") + STATUS_PATH

    def request_body(self, message: Outbound) -> dict[str, str]:
        body = {
            "to_number": message.to,
            "content": message.text,
            "status_url": f"{self._callback}?{urlencode({'send': message.send_id})}",
            "status_secret": self._secret,
        }
        if self._route:
            body["route_id"] = self._route
        return body

    async def send(self, message: Outbound) -> Outcome:
        response = await post(self._client, self._url, json=self.request_body(message), auth=self._auth)
        if not isinstance(response, httpx.Response):
            return response
        answer = json_object(response)
        if 200 <= response.status_code < 300:
            return Accepted(str(answer.get("id", "")))
        if (retry := not_taken(response)) is not None:
            return retry
        error = answer.get("error")
        error = error if isinstance(error, dict) else {}
        code = error.get("code", response.status_code)
        return Rejected(f"telerivet {code}: {error.get('message', '')}".strip())

    async def read_status(self, request: Request) -> StatusReport:
        form = form_fields(await request.body())
        if not hmac.compare_digest(form.get("secret", "").encode(), self._secret.encode()):
            raise CallbackError("secret does not match the status_secret", forbidden=True)
        if not form.get("id"):
            raise CallbackError("expected the message's id")
        status = _STATUSES.get(form.get("status", ""))
        error = form.get("error_message") or f"telerivet {form.get('status')}"
        return StatusReport(
            request.query_params.get("send"),
            form["id"],
            status,
            error[:500] if status == "failed" else None,
        )
