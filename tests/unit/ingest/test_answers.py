"""Which status each answer of ingest's routes carries, and what it says, with in-process fakes of
ingest's own ports behind `create_app` (tests/integration/ingest runs the routes on the real
Kafka and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.common.contracts import events as ev
from services.common.infra.clock import ManualClock
from services.ingest.app import create_app
from services.ingest.intake import Result, Status
from services.ingest.settings import IngestSettings
from tests.support.asgi import running
from tests.unit.ingest.fakes import MONITOR, NOW, TOKEN, Fakes

SETTINGS = IngestSettings(
    max_body_bytes=4096, max_batch=3, retry_after_seconds=7, sms_webhook_secret=SecretStr("hook-key")
)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def turnout(station: str = "ALA-0123", ballots: int = 450, report_id: str = "r-1") -> dict[str, Any]:
    return {
        "id": report_id,
        "station_id": station,
        "observed_at": NOW.isoformat(),
        "turnout": {"ballots_issued": ballots, "home_voting_applications": 12},
    }


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
async def client(fakes: Fakes) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(SETTINGS, ManualClock(NOW), services=fakes.services())) as client:
        yield client


async def test_an_accepted_report_is_202_and_reaches_the_intake_as_the_monitors(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    answer = await client.post("/v1/reports", json=turnout(), headers=AUTH)
    assert answer.status_code == 202
    assert answer.json() == {
        "accepted": 1,
        "duplicate": 0,
        "rejected": 0,
        "unavailable": 0,
        "results": [{"index": 0, "id": "r-1", "status": "accepted"}],
    }
    (report,) = fakes.intake.submitted
    assert (report.id, report.station_id, report.monitor_id) == ("r-1", "ALA-0123", MONITOR.id)
    assert (report.body, report.channel, report.received_at) == (
        ev.TurnoutUpdate(450, 12),
        ev.Channel.HTTP,
        NOW,
    )


async def test_a_duplicate_is_202_too(client: httpx.AsyncClient, fakes: Fakes) -> None:
    fakes.intake.answer = Result(Status.DUPLICATE)
    answer = await client.post("/v1/reports", json=turnout(), headers=AUTH)
    assert answer.status_code == 202
    assert answer.json()["results"] == [{"index": 0, "id": "r-1", "status": "duplicate"}]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthenticated"),
        ({"Authorization": "Basic eDp5"}, "unauthenticated"),
        ({"Authorization": "Bearer someone-elses"}, "invalid_token"),
    ],
)
async def test_no_token_or_an_unknown_one_is_401(
    client: httpx.AsyncClient, fakes: Fakes, headers: dict[str, str], code: str
) -> None:
    answer = await client.post("/v1/reports", json=turnout(), headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="pollwatch"'
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["field"] == "authorization"
    assert fakes.intake.submitted == []


async def test_an_unreachable_monitor_store_is_503_with_retry_after(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    fakes.monitors.reachable = False
    answer = await client.post("/v1/reports", json=turnout(), headers=AUTH)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["error"] == {
        "code": "unavailable",
        "field": "authorization",
        "message": "monitor store unreachable; retry",
    }


@pytest.mark.parametrize("reason", ["kafka_unavailable", "kafka_timeout", "store_unavailable", "in_progress"])
async def test_a_report_the_intake_could_not_write_is_503_with_retry_after(
    client: httpx.AsyncClient, fakes: Fakes, reason: str
) -> None:
    fakes.intake.answer = Result(Status.UNAVAILABLE, reason)
    answer = await client.post("/v1/reports", json=turnout(), headers=AUTH)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["results"] == [{"index": 0, "id": "r-1", "status": "unavailable", "reason": reason}]


async def test_a_body_or_a_batch_too_large_is_413_naming_it(client: httpx.AsyncClient, fakes: Fakes) -> None:
    big = await client.post("/v1/reports", content=b"x" * 4097, headers=AUTH)
    assert big.status_code == 413
    assert big.json()["error"] == {
        "code": "too_large",
        "field": "body",
        "message": "the body exceeds 4096 bytes",
    }
    batch = {"reports": [turnout(report_id=f"r-{i}") for i in range(4)]}
    many = await client.post("/v1/reports", json=batch, headers=AUTH)
    assert many.status_code == 413
    assert many.json()["error"]["code"] == "too_many"
    assert many.json()["error"]["field"] == "reports"
    assert fakes.intake.submitted == []


async def test_a_body_that_is_no_report_is_400_or_415(client: httpx.AsyncClient) -> None:
    malformed = await client.post(
        "/v1/reports", content=b"{", headers=AUTH | {"content-type": "application/json"}
    )
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "malformed")
    text = await client.post(
        "/v1/reports", content=b"T 0123 450", headers=AUTH | {"content-type": "text/plain"}
    )
    assert (text.status_code, text.json()["error"]["field"]) == (415, "content-type")


async def test_an_invalid_report_is_422_naming_the_field(client: httpx.AsyncClient, fakes: Fakes) -> None:
    answer = await client.post("/v1/reports", json=turnout(ballots=-1), headers=AUTH)
    assert answer.status_code == 422
    ((error,),) = [r["errors"] for r in answer.json()["results"]]
    assert error["field"] == "turnout.ballots_issued"
    assert fakes.intake.submitted == []


async def test_a_station_not_the_monitors_is_403(client: httpx.AsyncClient, fakes: Fakes) -> None:
    answer = await client.post("/v1/reports", json=turnout(station="AKM-0777"), headers=AUTH)
    assert answer.status_code == 403
    ((error,),) = [r["errors"] for r in answer.json()["results"]]
    assert error["field"] == "station_id"
    assert fakes.intake.submitted == []


async def test_a_batch_with_one_bad_report_is_202_for_the_rest_and_names_the_bad_one(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    batch = {"reports": [turnout(report_id="good"), turnout(ballots=-1, report_id="bad")]}
    answer = await client.post("/v1/reports", json=batch, headers=AUTH)
    assert answer.status_code == 202
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (1, 1)
    assert [e["field"] for e in answer.json()["results"][1]["errors"]] == [
        "reports[1].turnout.ballots_issued"
    ]
    assert [r.id for r in fakes.intake.submitted] == ["good"]


def sms(text: str, phone: str = MONITOR.phone or "", key: str = "hook-key") -> dict[str, str]:
    return {"from": phone, "text": text, "secret": key}


async def test_an_sms_report_is_accepted_with_a_reply(client: httpx.AsyncClient, fakes: Fakes) -> None:
    answer = await client.post("/v1/sms", data=sms("T 0123 450"))
    assert answer.status_code == 200
    assert answer.json()["status"] == "accepted"
    (report,) = fakes.intake.submitted
    assert (report.station_id, report.body, report.channel) == (
        "ALA-0123",
        ev.TurnoutUpdate(450, 0),
        ev.Channel.SMS,
    )
    assert answer.json()["report_id"] == report.id


async def test_an_sms_without_the_webhook_key_is_401(client: httpx.AsyncClient, fakes: Fakes) -> None:
    answer = await client.post("/v1/sms", data=sms("T 0123 450", key="wrong"))
    assert answer.status_code == 401
    assert answer.json()["error"]["field"] == "key"
    assert fakes.intake.submitted == []


async def test_an_sms_from_an_unknown_phone_is_dead_lettered_without_the_phone(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    answer = await client.post("/v1/sms", data=sms("T 0123 450", phone="+77000000000"))
    assert answer.status_code == 200
    assert answer.json()["status"] == "rejected"
    (letter,) = fakes.intake.dead_letters
    assert (letter.source, letter.sender, letter.payload) == ("sms", "", b"T 0123 450")
    assert letter.error.startswith("unknown_sender")


async def test_an_sms_not_kept_or_not_written_is_503_with_retry_after(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    fakes.intake.keeps_dead_letters = False
    unkept = await client.post("/v1/sms", data=sms("T 0123"))
    fakes.intake.answer = Result(Status.UNAVAILABLE, "kafka_unavailable")
    unwritten = await client.post("/v1/sms", data=sms("T 0123 450"))
    fakes.monitors.reachable = False
    unknown = await client.post("/v1/sms", data=sms("T 0123 450"))
    assert [a.status_code for a in (unkept, unwritten, unknown)] == [503, 503, 503]
    assert {a.headers["retry-after"] for a in (unkept, unwritten, unknown)} == {"7"}
    assert {a.json()["status"] for a in (unkept, unwritten, unknown)} == {"unavailable"}


async def test_readyz_is_503_naming_what_is_down(client: httpx.AsyncClient, fakes: Fakes) -> None:
    up = await client.get("/readyz")
    assert (up.status_code, up.json()) == (200, {"status": "ready", "checks": fakes.checks})
    fakes.checks["kafka"] = False
    down = await client.get("/readyz")
    assert (down.status_code, down.json()["checks"]) == (503, {"kafka": False, "postgres": True})


async def test_the_lifespan_opens_the_services_once_and_closes_them(fakes: Fakes) -> None:
    app = create_app(SETTINGS, ManualClock(NOW), services=fakes.services())
    async with running(app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (fakes.opened, fakes.closed) == (1, 0)
    assert (fakes.opened, fakes.closed) == (1, 1)
