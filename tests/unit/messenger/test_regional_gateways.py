"""Telerivet, RapidPro and Africa's Talking: the requests each builds (against httpx's mock
transport), the answers each may give, and their statuses read from each one's own shape."""

from __future__ import annotations

import httpx
import orjson
import pytest

from services.messenger.gateways.africastalking import AfricasTalkingGateway
from services.messenger.gateways.base import Accepted, CallbackError, Rejected, Retry, StatusReport
from services.messenger.gateways.rapidpro import RapidProGateway, parse_messages
from services.messenger.gateways.telerivet import TelerivetGateway
from services.messenger.settings import MessengerSettings
from tests.unit.messenger.test_gateways import MESSAGE, Handler, client, form_request


def telerivet(handler: Handler) -> TelerivetGateway:
    return TelerivetGateway(
        client(handler), "https://api.telerivet.test", "PJ1", "key1", "s3cret", "https://pw.test", "PN7"
    )


def rapidpro(handler: Handler) -> RapidProGateway:
    return RapidProGateway(client(handler), "https://rapidpro.test/", "tok1")


def africastalking(handler: Handler, sender: str = "") -> AfricasTalkingGateway:
    return AfricasTalkingGateway(
        client(handler), "https://api.sandbox.africastalking.test", "sandbox", "atkey", "s3cret", sender
    )


async def test_telerivet_send_is_the_projects_messages_send() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "SMabc", "status": "queued"})

    gateway = telerivet(handler)
    assert not gateway.idempotent
    assert await gateway.send(MESSAGE) == Accepted("SMabc")
    (request,) = seen
    assert str(request.url) == "https://api.telerivet.test/v1/projects/PJ1/messages/send"
    assert request.headers["authorization"] == httpx.BasicAuth("key1", "")._auth_header
    assert orjson.loads(request.content) == {
        "to_number": "+442079460001",
        "content": "hello",
        "status_url": "https://pw.test/v1/status/telerivet?send=bc-1.mon-1",
        "status_secret": "s3cret",
        "route_id": "PN7",
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(400, json={"error": {"code": "invalid_param", "message": "Invalid to_number"}}),
            Rejected("telerivet invalid_param: Invalid to_number"),
        ),
        (httpx.Response(429, headers={"Retry-After": "3"}), Retry("gateway rate limit (429)", 3.0)),
        (httpx.Response(502), Retry("gateway error (502)")),
    ],
)
async def test_telerivet_answers(response: httpx.Response, expected: object) -> None:
    assert await telerivet(lambda _: response).send(MESSAGE) == expected


async def test_telerivet_status_needs_the_status_secret() -> None:
    gateway = telerivet(lambda _: httpx.Response(500))
    url = "https://pw.test/v1/status/telerivet?send=bc-1.mon-1"
    form = {"event": "send_status", "id": "SMabc", "status": "not_delivered", "error_message": "Absent"}
    assert await gateway.read_status(form_request(url, form | {"secret": "s3cret"}, {})) == StatusReport(
        "bc-1.mon-1", "SMabc", "failed", "Absent"
    )
    delivered = form | {"status": "delivered", "secret": "s3cret"}
    assert await gateway.read_status(form_request(url, delivered, {})) == StatusReport(
        "bc-1.mon-1", "SMabc", "delivered"
    )
    queued = form | {"status": "queued", "secret": "s3cret"}
    assert (await gateway.read_status(form_request(url, queued, {}))).status is None
    with pytest.raises(CallbackError) as refused:
        await gateway.read_status(form_request(url, form | {"secret": "guess"}, {}))
    assert refused.value.forbidden


async def test_rapidpro_send_is_a_broadcast_to_one_urn() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 1234, "urns": ["tel:+442079460001"], "status": "queued"})

    assert await rapidpro(handler).send(MESSAGE) == Accepted("1234")
    (request,) = seen
    assert str(request.url) == "https://rapidpro.test/api/v2/broadcasts.json"
    assert request.headers["authorization"] == "Token tok1"
    assert orjson.loads(request.content) == {"urns": ["tel:+442079460001"], "text": "hello"}


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(400, json={"urns": ["Invalid URN: tel:+1"]}),
            Rejected("rapidpro 400: urns: ['Invalid URN: tel:+1']"),
        ),
        (
            httpx.Response(429, json={"detail": "throttled"}, headers={"Retry-After": "2"}),
            Retry("gateway rate limit (429)", 2.0),
        ),
        (httpx.Response(403, json={"detail": "no"}), Retry("gateway refused our credentials (403)")),
    ],
)
async def test_rapidpro_answers(response: httpx.Response, expected: object) -> None:
    assert await rapidpro(lambda _: response).send(MESSAGE) == expected


def page(*results: dict[str, object]) -> bytes:
    return orjson.dumps({"next": None, "previous": None, "results": list(results)})


def test_rapidpro_statuses_are_read_from_the_messages_endpoint() -> None:
    out = {"id": 41, "broadcast": 1234, "direction": "out", "urn": "tel:+442079460001"}
    assert parse_messages(page(out | {"status": "wired"}), "1234") == StatusReport(None, "1234", "sent")
    assert parse_messages(page(out | {"status": "delivered"}), "1234") == StatusReport(
        None, "1234", "delivered"
    )
    assert parse_messages(page(out | {"status": "failed"}), "1234") == StatusReport(
        None, "1234", "failed", "rapidpro failed"
    )
    assert parse_messages(page(out | {"status": "errored"}), "1234") == StatusReport(None, "1234", None)
    assert parse_messages(page(), "1234") is None
    with pytest.raises(CallbackError):
        parse_messages(b"<html>", "1234")


async def test_rapidpro_poll_asks_for_the_broadcasts_messages() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=page({"direction": "out", "status": "delivered"}))

    assert await rapidpro(handler).poll_status("1234") == StatusReport(None, "1234", "delivered")
    assert str(seen[0].url) == "https://rapidpro.test/api/v2/messages.json?broadcast=1234"
    busy = rapidpro(lambda _: httpx.Response(429, headers={"Retry-After": "5"}))
    assert await busy.poll_status("1234") == Retry("rapidpro 429", 5.0)


async def test_africastalking_send_is_the_messaging_form() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        recipient = {
            "statusCode": 101,
            "number": "+442079460001",
            "status": "Success",
            "messageId": "ATXid_1",
        }
        return httpx.Response(
            201, json={"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": [recipient]}}
        )

    assert await africastalking(handler, sender="POLLWATCH").send(MESSAGE) == Accepted("ATXid_1")
    (request,) = seen
    assert str(request.url) == "https://api.sandbox.africastalking.test/version1/messaging"
    assert request.headers["apikey"] == "atkey"
    assert request.headers["accept"] == "application/json"
    assert dict(httpx.QueryParams(request.content.decode())) == {
        "username": "sandbox",
        "to": "+442079460001",
        "message": "hello",
        "from": "POLLWATCH",
    }


def at_answer(code: int, status: str) -> httpx.Response:
    recipient = {"statusCode": code, "number": "+442079460001", "status": status, "cost": "0"}
    return httpx.Response(201, json={"SMSMessageData": {"Message": "Sent to 0/1", "Recipients": [recipient]}})


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (at_answer(403, "InvalidPhoneNumber"), Rejected("africastalking 403 InvalidPhoneNumber")),
        (at_answer(406, "UserInBlacklist"), Rejected("africastalking 406 UserInBlacklist")),
        (at_answer(405, "InsufficientBalance"), Retry("africastalking 405 InsufficientBalance")),
        (at_answer(500, "InternalServerError"), Retry("africastalking 500 InternalServerError")),
        (
            httpx.Response(401, text="The supplied authentication is invalid"),
            Retry("gateway refused our credentials (401)"),
        ),
        (httpx.Response(400, text="Missing message"), Rejected("africastalking 400: Missing message")),
    ],
)
async def test_africastalking_answers(response: httpx.Response, expected: object) -> None:
    assert await africastalking(lambda _: response).send(MESSAGE) == expected


async def test_africastalking_delivery_reports_need_the_url_secret() -> None:
    gateway = africastalking(lambda _: httpx.Response(500))
    url = "https://pw.test/v1/status/africastalking?secret=s3cret"
    failed = {
        "id": "ATXid_1",
        "status": "Failed",
        "phoneNumber": "+442079460001",
        "failureReason": "AbsentSubscriber",
    }
    assert await gateway.read_status(form_request(url, failed, {})) == StatusReport(
        None, "ATXid_1", "failed", "africastalking Failed (AbsentSubscriber)"
    )
    success = {"id": "ATXid_1", "status": "Success", "phoneNumber": "+442079460001"}
    assert await gateway.read_status(form_request(url, success, {})) == StatusReport(
        None, "ATXid_1", "delivered"
    )
    buffered = success | {"status": "Buffered"}
    assert await gateway.read_status(form_request(url, buffered, {})) == StatusReport(None, "ATXid_1", "sent")
    with pytest.raises(CallbackError) as refused:
        await gateway.read_status(
            form_request("https://pw.test/v1/status/africastalking?secret=x", success, {})
        )
    assert refused.value.forbidden


@pytest.mark.parametrize(
    ("gateway", "missing"),
    [
        (
            "telerivet",
            "MESSENGER_TELERIVET_PROJECT_ID, MESSENGER_TELERIVET_API_KEY, MESSENGER_CALLBACK_SECRET",
        ),
        ("rapidpro", "MESSENGER_RAPIDPRO_TOKEN"),
        ("africastalking", "MESSENGER_AFRICASTALKING_USERNAME"),
    ],
)
def test_each_gateway_is_refused_without_its_credentials(gateway: str, missing: str) -> None:
    with pytest.raises(ValueError, match=f"the {gateway} gateway needs {missing}"):
        MessengerSettings(gateway=gateway)
