"""Odd input gets a coded client error naming the argument, never an internal error, and is
logged at INFO without a traceback (production settings, real PostgreSQL)."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from services.common.infra.settings import Environment, SharedSettings
from tests.integration.api.client import WsClient, gql
from tests.integration.api.conftest import Api, api_settings, serve


@pytest.fixture
async def production_api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    shared = shared_settings.model_copy(update={"environment": Environment.PRODUCTION})
    async for running in serve(api_settings(shared)):
        yield running


def cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(parts))).decode()


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("query($v: ID) { stations(region: $v) { nodes { id } } }", {"v": "R1\x00"}, "region"),
    ("query($v: ID!) { station(id: $v) { id } }", {"v": "S\x00"}, "id"),
    ("query($v: ID!) { station(id: $v) { id } }", {"v": "S\ud800"}, "id"),
    ("query($v: String) { alerts(rule: $v) { nodes { id } } }", {"v": "x\x00"}, "rule"),
    ("query($v: ID) { forensics(region: $v) { stations } }", {"v": "\x00"}, "region"),
    ("query($v: ID!) { region(id: $v) { name } }", {"v": "R" * 100_000}, "id"),
    (
        "query($v: String) { alerts(after: $v) { nodes { id } } }",
        {"v": cursor("alerts", "zzz", "A1")},
        "after",
    ),
    ("query($v: String) { alerts(after: $v) { nodes { id } } }", {"v": cursor("alerts", 5, "A1")}, "after"),
    (
        "query($v: String) { reports(after: $v) { nodes { id } } }",
        {"v": cursor("reports", "x", "r1")},
        "after",
    ),
    (
        "query($v: String) { reports(after: $v) { nodes { id } } }",
        {"v": cursor("reports", "2024-03-01T08:00:00+00:00", "r\x00")},
        "after",
    ),
    (
        "query($v: String) { stations(after: $v, orderBy: OPEN_ALERTS_DESC) { nodes { id } } }",
        {"v": cursor("open_alerts_desc", 2**40, "S1")},
        "after",
    ),
    (
        "query($v: DateTime) { alerts(since: $v) { nodes { id } } }",
        {"v": "0001-01-01T00:00:00+14:00"},
        "since",
    ),
    ("query($v: DateTime) { reports(since: $v) { nodes { id } } }", {"v": "soon"}, "since"),
    ("query($v: Int) { stations(first: $v) { nodes { id } } }", {"v": 2**40}, "first"),
    ('mutation($v: String!) { acknowledgeAlert(id: "A1", note: $v) { id } }', {"v": "ok\x00"}, "note"),
]


@pytest.mark.parametrize(("query", "variables", "argument"), CASES)
async def test_odd_arguments_get_invalid_argument_naming_it(
    production_api: Api,
    keys: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    argument: str,
) -> None:
    caplog.set_level(logging.INFO)
    body = await gql(production_api.url, query, keys["admin"], variables)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT", body
    assert body["errors"][0]["extensions"]["argument"] == argument
    assert "Internal error." not in str(body)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r for r in caplog.records if r.exc_info] == []
    logged = [r for r in caplog.records if r.name == "services.api.client_errors"]
    assert [r.levelno for r in logged] == [logging.INFO]


async def test_refused_fields_are_logged_at_info_without_a_traceback(
    production_api: Api, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = await gql(production_api.url, '{ station(id: "S1") { monitors { id } } }', keys["partner"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "services.api.client_errors"]
    assert logged == (
        "client error FORBIDDEN at station.monitors: "
        "Station.monitors requires the analyst role (this key is partner)"
    )


@pytest.mark.parametrize("token", ["pw_abc\x00_secret", "pw_\ud800_x", "pw_" + "a" * 100_000 + "_x"])
async def test_an_odd_api_key_over_websocket_is_refused_with_4403(
    production_api: Api, caplog: pytest.LogCaptureFixture, token: str
) -> None:
    client = await WsClient.open(production_api.ws_url, token)
    with pytest.raises(ConnectionClosed) as closed:
        await client.receive()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
