"""Twilio's Programmable Messaging: the REST Messages API out, status callbacks in.

Send: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP basic auth
(account SID, auth token) and form fields `To`, `From` (or `MessagingServiceSid`), `Body`,
`StatusCallback`; 201 with the message's `sid`. Errors are JSON `{"code", "message"}`.
Status callbacks: form posts with `MessageSid`, `MessageStatus` (queued, sending, sent,
delivered, undelivered, failed, ...) and `ErrorCode`, signed in `X-Twilio-Signature`
(base64 HMAC-SHA1, keyed by the auth token, of the callback URL followed by every form
field's name and value, sorted by name). Twilio does not deduplicate sends: an interrupted
send is left `unknown` for its callback to settle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
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

STATUS_PATH = "/v1/status/twilio"
# Twilio's statuses: the ones that settle or advance a delivery; the rest are interim.
_STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature of a form post to `url` (Twilio's documented scheme)."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioGateway:
    name = "twilio"
    idempotent = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        public_url: str,
    ) -> None:
        self._client = client
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid)}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._token = auth_token
        # A Messaging Service (MG...) picks the sending number itself; otherwise a number.
        self._sender = ("MessagingServiceSid" if sender.startswith("MG") else "From", sender)
        self._callback = public_url.rstrip("/") + STATUS_PATH

    async def send(self, message: Outbound) -> Outcome:
        form = {
            "To": message.to,
            self._sender[0]: self._sender[1],
            "Body": message.text,
            "StatusCallback": f"{self._callback}?{urlencode({'send': message.send_id})}",
        }
        response = await post(self._client, self._url, data=form, auth=self._auth)
        if not isinstance(response, httpx.Response):
            return response
        if response.status_code in (200, 201):
            return Accepted(str(json_object(response).get("sid", "")))
        if (retry := not_taken(response)) is not None:
            return retry
        body = json_object(response)
        return Rejected(f"twilio {body.get('code', response.status_code)}: {body.get('message', '')}".strip())

    async def read_status(self, request: Request) -> StatusReport:
        form = form_fields(await request.body())
        url = self._callback + (f"?{request.url.query}" if request.url.query else "")
        given = request.headers.get("x-twilio-signature", "")
        if not hmac.compare_digest(given.encode(), signature(self._token, url, form).encode()):
            raise CallbackError("X-Twilio-Signature does not match", forbidden=True)
        status = form.get("MessageStatus", "")
        code = form.get("ErrorCode")
        return StatusReport(
            request.query_params.get("send"),
            form.get("MessageSid"),
            _STATUSES.get(status),
            f"twilio {status}" + (f" (error {code})" if code else "")
            if _STATUSES.get(status) == "failed"
            else None,
        )
