"""Africa's Talking's SMS API: sending a message, and its delivery reports.

Send: `POST {base}/version1/messaging` (base: https://api.africastalking.com, or the sandbox's
https://api.sandbox.africastalking.com) with headers `apiKey` and `Accept: application/json` and
form fields `username`, `to`, `message` and, when set, `from` (a sender id or short code); 201
with `{"SMSMessageData": {"Message", "Recipients": [{"statusCode", "number", "status",
"messageId", "cost"}]}}`. Each recipient's `statusCode` says whether it was taken (100
Processed, 101 Sent, 102 Queued) or why not (401 RiskHold, 402 InvalidSenderId, 403
InvalidPhoneNumber, 404 UnsupportedNumberType, 405 InsufficientBalance, 406 UserInBlacklist,
407 CouldNotRoute, 409 DoNotDisturbRejection, 500 InternalServerError, 501 GatewayError, 502
RejectedByGateway).
Delivery reports: form posts to the URL set in the account's dashboard (not per message) with
`id` (the messageId), `status` (Sent, Submitted, Buffered, Rejected, Success, Failed,
AbsentSubscriber, Expired), `phoneNumber`, `networkCode`, `failureReason` and `retryCount`. They
are not signed: the URL set there carries our secret (`.../v1/status/africastalking?secret=...`).
Africa's Talking does not deduplicate sends: an interrupted send is left `unknown`.
"""

from __future__ import annotations

import hmac

import httpx
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
from services.messenger.gateways.http import form_fields, json_object, not_taken, post

STATUS_PATH = "/v1/status/africastalking"
SEND_PATH = "/version1/messaging"
TAKEN = frozenset({100, 101, 102})
# Not taken now, may be later: a hold on the account, no credit, their side failing.
NOT_NOW = frozenset({401, 405, 500, 501})
_STATUSES = {
    "Sent": "sent",
    "Submitted": "sent",
    "Buffered": "sent",
    "Success": "delivered",
    "Rejected": "failed",
    "Failed": "failed",
    "AbsentSubscriber": "failed",
    "Expired": "failed",
}


class AfricasTalkingGateway:
    name = "africastalking"
    idempotent = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        username: str,
        api_key: str,
        callback_secret: str,
        sender: str = "",
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + SEND_PATH
        self._username = username
        self._headers = {"apiKey": api_key, "Accept": "application/json"}
        self._secret = callback_secret
        self._sender = sender

    def request_form(self, message: Outbound) -> dict[str, str]:
        form = {"username": self._username, "to": message.to, "message": message.text}
        if self._sender:
            form["from"] = self._sender
        return form

    async def send(self, message: Outbound) -> Outcome:
        response = await post(self._client, self._url, data=self.request_form(message), headers=self._headers)
        if not isinstance(response, httpx.Response):
            return response
        if (retry := not_taken(response)) is not None:
            return retry
        data = json_object(response).get("SMSMessageData")
        recipients = data.get("Recipients") if isinstance(data, dict) else None
        if not isinstance(recipients, list) or not recipients or not isinstance(recipients[0], dict):
            detail = data.get("Message", "") if isinstance(data, dict) else response.text[:200]
            return Rejected(f"africastalking {response.status_code}: {detail}".strip())
        recipient = recipients[0]
        code = recipient.get("statusCode")
        status = recipient.get("status", "")
        if code in TAKEN:
            return Accepted(str(recipient.get("messageId", "")))
        if code in NOT_NOW:
            return Retry(f"africastalking {code} {status}")
        return Rejected(f"africastalking {code} {status}".strip())

    async def read_status(self, request: Request) -> StatusReport:
        given = request.query_params.get("secret", "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            raise CallbackError("the secret in the callback URL does not match", forbidden=True)
        form = form_fields(await request.body())
        if not form.get("id"):
            raise CallbackError("expected the message's id")
        raw = form.get("status", "")
        status = _STATUSES.get(raw)
        reason = form.get("failureReason")
        error = f"africastalking {raw}" + (f" ({reason})" if reason else "")
        return StatusReport(None, form["id"], status, error[:500] if status == "failed" else None)
