"""The simulated gateway's status callbacks and monitors' replies, sent as a real gateway
would: after a short delay, signed, and retried with backoff while the receiver is down."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

import httpx
import orjson

from services.messenger.gateways.generic import SIGNATURE_HEADER, sign
from services.messenger.gateways.http import closed_at_connect
from services.messenger.gateways.twilio import signature
from services.simulator.gateway.settings import GatewaySimSettings
from services.simulator.gateway.store import Texted

log = logging.getLogger(__name__)
ATTEMPTS = 12  # about two minutes with the backoff below
# Callbacks in flight at once: thousands queued in httpx's pool make each request slower to place
# than the last (the pool scans its queue), and the simulated gateway then answers late.
IN_FLIGHT = 16
# What a check-in asks monitors to reply (services/messenger/texts.py), in each language.
_CHECKIN_WORD = re.compile(r"\b(OK|ДА|ИӘ)\b")


class Callbacks:
    def __init__(self, settings: GatewaySimSettings, client: httpx.AsyncClient) -> None:
        self._settings = settings
        self._client = client
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(IN_FLIGHT)

    def _spawn(self, work: Callable[[], object]) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work())  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def after_twilio_send(self, sms: Texted, callback_url: str) -> None:
        final = "undelivered" if self._fails(sms.to) else "delivered"
        self._spawn(
            lambda: self._statuses(
                sms, ("sent", final), lambda status: self._twilio(sms, status, callback_url)
            )
        )
        self._reply_if_asked(sms)

    def after_generic_send(self, sms: Texted, callback_url: str, repeated: bool = False) -> None:
        """Status callbacks for a text; for a `repeated` send id (nothing sent again) they go to
        the repeat's callback URL too: the first sender may have died before hearing them."""
        final = "failed" if self._fails(sms.to) else "delivered"
        self._spawn(
            lambda: self._statuses(
                sms, ("sent", final), lambda status: self._generic(sms, status, callback_url)
            )
        )
        if not repeated:
            self._reply_if_asked(sms)

    def after_telerivet_send(self, sms: Texted, status_url: str, secret: str) -> None:
        final = "not_delivered" if self._fails(sms.to) else "delivered"

        async def post(status: str) -> httpx.Response:
            form = {"event": "send_status", "id": sms.gateway_id, "status": status, "secret": secret}
            if status == "not_delivered":
                form["error_message"] = "Absent subscriber"
            return await self._client.post(status_url, data=form)

        self._spawn(lambda: self._statuses(sms, ("sent", final), post))
        self._reply_if_asked(sms)

    def after_africastalking_send(self, sms: Texted) -> None:
        """Delivery reports to the URL of the account's dashboard, when one is set."""
        url = self._settings.africastalking_callback_url
        final = "Failed" if self._fails(sms.to) else "Success"

        async def post(status: str) -> httpx.Response:
            form = {"id": sms.gateway_id, "status": status, "phoneNumber": sms.to, "networkCode": "63902"}
            if status == "Failed":
                form["failureReason"] = "AbsentSubscriber"
            return await self._client.post(str(url), data=form)

        if url is not None:
            self._spawn(lambda: self._statuses(sms, ("Sent", final), post))
        self._reply_if_asked(sms)

    def after_rapidpro_send(self, sms: Texted) -> None:
        """RapidPro posts nothing: the message's status moves on, for messages.json to tell."""
        final = "failed" if self._fails(sms.to) else "delivered"

        async def advance() -> None:
            for status in ("wired", final):
                await asyncio.sleep(self._settings.callback_delay)
                sms.statuses.append(status)

        self._spawn(advance)
        self._reply_if_asked(sms)

    def _fails(self, to: str) -> bool:
        return bool(self._settings.fail_suffix) and to.endswith(self._settings.fail_suffix)

    async def _statuses(self, sms: Texted, statuses: tuple[str, ...], post: Callable[[str], object]) -> None:
        for status in statuses:
            await asyncio.sleep(self._settings.callback_delay)
            if await self._deliver(post, status):
                sms.statuses.append(status)

    async def _deliver(self, post: Callable[[str], object], status: str) -> bool:
        delay = 0.2
        for _ in range(ATTEMPTS):
            try:
                async with self._slots:
                    response = await post(status)  # type: ignore[misc]
                if isinstance(response, httpx.Response) and response.status_code < 500:
                    return response.status_code < 300
            except httpx.TransportError:
                pass
            except AttributeError as exc:  # the receiver died as the connection opened
                if not closed_at_connect(exc):
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 20)
        return False

    async def _twilio(self, sms: Texted, status: str, url: str) -> httpx.Response:
        form = {
            "MessageSid": sms.gateway_id,
            "MessageStatus": status,
            "To": sms.to,
            "AccountSid": self._settings.twilio_account_sid,
        }
        if status == "undelivered":
            form["ErrorCode"] = "30003"
        sig = signature(self._settings.twilio_auth_token.get_secret_value(), url, form)
        return await self._client.post(url, data=form, headers={"X-Twilio-Signature": sig})

    async def _generic(self, sms: Texted, status: str, url: str) -> httpx.Response:
        body = {"id": sms.gateway_id, "reference": sms.reference, "status": status}
        if status == "failed":
            body["error"] = "unreachable handset"
        raw = orjson.dumps(body)
        headers = {"Content-Type": "application/json"}
        if self._settings.callback_secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._settings.callback_secret.get_secret_value(), raw)
        return await self._client.post(url, content=raw, headers=headers)

    def _reply_if_asked(self, sms: Texted) -> None:
        url = self._settings.reply_url
        found = _CHECKIN_WORD.search(sms.text)
        if url is None or found is None or self._fails(sms.to):
            return
        word = found.group(1)
        self._spawn(
            lambda: self._deliver(
                lambda _: self._client.post(str(url), data={"from": sms.to, "text": word}), "reply"
            )
        )
