"""The outbound gateways against HTTP answers they may give (httpx's mock transport), and their
status callbacks: signatures checked, statuses read."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import orjson
import pytest
from starlette.requests import Request

from services.messenger.gateways.base import (
    Accepted,
    CallbackError,
    Outbound,
    Rejected,
    Retry,
    StatusReport,
    Unknown,
    split_send_id,
)
from services.messenger.gateways.generic import GenericGateway, sign
from services.messenger.gateways.twilio import TwilioGateway, signature

MESSAGE = Outbound("bc-1.mon-1", "+442079460001", "hello")
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def twilio(handler: Handler) -> TwilioGateway:
    return TwilioGateway(
        client(handler), "https://api.twilio.test", "AC1", "tok", "+15005550006", "https://pw.test"
    )


def test_twilio_signature_matches_twilios_documented_example() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


async def test_twilio_send_is_the_messages_api() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"sid": "SM123", "status": "queued"})

    assert await twilio(handler).send(MESSAGE) == Accepted("SM123")
    (request,) = seen
    assert str(request.url) == "https://api.twilio.test/2010-04-01/Accounts/AC1/Messages.json"
    assert request.headers["authorization"] == httpx.BasicAuth("AC1", "tok")._auth_header
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form == {
        "To": "+442079460001",
        "From": "+15005550006",
        "Body": "hello",
        "StatusCallback": "https://pw.test/v1/status/twilio?send=bc-1.mon-1",
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(400, json={"code": 21211, "message": "invalid To"}),
            Rejected("twilio 21211: invalid To"),
        ),
        (httpx.Response(429, headers={"Retry-After": "7"}), Retry("gateway rate limit (429)", 7.0)),
        (httpx.Response(503), Retry("gateway error (503)")),
        (httpx.Response(401), Retry("gateway refused our credentials (401)")),
    ],
)
async def test_twilio_answers(response: httpx.Response, expected: object) -> None:
    assert await twilio(lambda _: response).send(MESSAGE) == expected


async def test_no_connection_is_not_sent_and_no_answer_is_unknown() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def silent(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    assert isinstance(await twilio(refused).send(MESSAGE), Retry)
    assert isinstance(await twilio(silent).send(MESSAGE), Unknown)


async def test_a_connection_reset_as_it_opens_is_not_sent() -> None:
    """httpcore 1.0 on anyio 4 asks a socket reset during connect for its peer, before sending."""

    def reset(request: httpx.Request) -> httpx.Response:
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")

    def bug(request: httpx.Request) -> httpx.Response:
        raise AttributeError("'Outbound' object has no attribute 'phone'")

    assert isinstance(await twilio(reset).send(MESSAGE), Retry)
    with pytest.raises(AttributeError, match="phone"):  # our own mistakes still surface
        await twilio(bug).send(MESSAGE)


def form_request(url: str, form: dict[str, str], headers: dict[str, str]) -> Request:
    body = httpx.QueryParams(form).__str__().encode()
    parsed = httpx.URL(url)
    scope = {
        "type": "http",
        "method": "POST",
        "path": parsed.path,
        "query_string": parsed.query,
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


async def test_twilio_callback_is_read_when_signed_and_refused_when_not() -> None:
    gateway = twilio(lambda _: httpx.Response(500))
    url = "https://pw.test/v1/status/twilio?send=bc-1.mon-1"
    form = {"MessageSid": "SM123", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    good = form_request(url, form, {"X-Twilio-Signature": signature("tok", url, form)})
    assert await gateway.read_status(good) == StatusReport(
        "bc-1.mon-1", "SM123", "failed", "twilio undelivered (error 30003)"
    )
    forged = form_request(url, form, {"X-Twilio-Signature": signature("other", url, form)})
    with pytest.raises(CallbackError):
        await gateway.read_status(forged)


async def test_twilio_interim_statuses_change_nothing() -> None:
    gateway = twilio(lambda _: httpx.Response(500))
    url = "https://pw.test/v1/status/twilio?send=bc-1.mon-1"
    form = {"MessageSid": "SM123", "MessageStatus": "queued"}
    request = form_request(url, form, {"X-Twilio-Signature": signature("tok", url, form)})
    assert (await gateway.read_status(request)).status is None


async def test_generic_send_and_its_idempotent_repeat() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(request.content))
        assert request.headers["authorization"] == "Bearer secret-token"
        return httpx.Response(409, json={"id": "gw-9"})

    gateway = GenericGateway(client(handler), "https://gw.test/send", "secret-token", "cb", "https://pw.test")
    assert gateway.idempotent
    assert await gateway.send(MESSAGE) == Accepted("gw-9")  # already had it: the same message
    assert seen == [
        {
            "id": "bc-1.mon-1",
            "to": "+442079460001",
            "text": "hello",
            "callback_url": "https://pw.test/v1/status/generic",
        }
    ]


async def test_generic_callback_needs_its_signature() -> None:
    gateway = GenericGateway(
        client(lambda _: httpx.Response(500)), "https://gw.test", None, "cb", "https://pw.test"
    )
    body = orjson.dumps({"id": "gw-9", "reference": "bc-1.mon-1", "status": "delivered"})
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/status/generic",
        "query_string": b"",
        "headers": [],
    }

    def request(signed: str) -> Request:
        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(b"x-pollwatch-signature", signed.encode())]
        return Request({**scope, "headers": headers}, receive)

    assert await gateway.read_status(request(sign("cb", body))) == StatusReport(
        "bc-1.mon-1", "gw-9", "delivered"
    )
    with pytest.raises(CallbackError):
        await gateway.read_status(request(sign("wrong", body)))


def test_send_ids_split_back() -> None:
    assert split_send_id("bc-1.mon-1") == ("bc-1", "mon-1")
    assert split_send_id("bc-1.sim.x") == ("bc-1", "sim.x")
    assert split_send_id("nodot") is None
