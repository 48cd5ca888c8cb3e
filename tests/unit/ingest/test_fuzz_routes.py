"""Every ingest input through the real route handlers (reports, batches, protobuf, SMS in each
gateway's format), with an intake that accepts whatever reaches it: no answer is 5xx, every
refusal is a 4xx naming the field. tests/integration/ingest/test_fuzz_http.py sends the same
inputs to the whole service on the real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common import codec
from services.common import events as ev
from services.common.clock import ManualClock
from services.common.settings import ReportingWindow, SharedSettings
from services.ingest.asgi import IngestApp
from services.ingest.auth import Authenticator
from services.ingest.context import Services
from services.ingest.intake import Intake, Result, Status
from services.ingest.metrics import IngestMetrics
from services.ingest.monitors import Monitor
from services.ingest.reports_route import report_routes
from services.ingest.settings import IngestSettings
from services.ingest.sms_route import sms_routes
from services.ingest.station_cache import StationCache
from tests.support.ingest_inputs import (
    check_reports_answer,
    check_sms_answer,
    report_requests,
    sms_requests,
)

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
TOKEN = "pw_monitor_token"
MONITOR = Monitor("mon-1", "Monitor", "+77011234567", "", frozenset({"ALA-0123", "ALA-0456"}))


class AcceptingIntake:
    """Takes every report it is handed, after encoding it as the real intake does."""

    async def submit(self, reports: Sequence[ev.Report]) -> list[Result]:
        for report in reports:
            codec.encode_report(report)
        return [Result(Status.ACCEPTED)] * len(reports)

    async def dead_letter(self, letter: ev.DeadLetter) -> bool:
        codec.encode_dead_letter(letter)
        return True


class OneMonitor:
    async def by_token(self, token: str) -> Monitor | None:
        return MONITOR if token == TOKEN else None

    async def by_phone(self, phone: str) -> Monitor | None:
        return MONITOR if phone == MONITOR.phone else None


class Stations:
    def __init__(self) -> None:
        self.registered = {"ALA-0123": 1000, "ALA-0456": 800, "AKM-0777": 900}


@dataclass
class Client:
    """The routes on an event loop of their own, called one request at a time."""

    loop: asyncio.AbstractEventLoop
    http: httpx.AsyncClient

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(self.http.post(path, content=body, headers=headers))


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    window = ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 2, 6, tzinfo=UTC))
    shared = SharedSettings(reporting_opens_at=window.opens_at, reporting_closes_at=window.closes_at)
    ingest = IngestSettings(shared=shared)
    metrics = IngestMetrics()
    reports = report_routes(ingest, metrics)
    app = IngestApp(reports[0], routes=[*reports, *sms_routes(ingest, metrics)])
    app.state.services = Services(
        ingest,
        cast(Intake, AcceptingIntake()),
        cast(Authenticator, OneMonitor()),
        cast(StationCache, Stations()),
        metrics,
        ManualClock(NOW),
    )
    loop = asyncio.new_event_loop()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")
    try:
        yield Client(loop, http)
    finally:
        loop.run_until_complete(http.aclose())
        loop.close()


fuzz = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
tokens = st.sampled_from(
    [f"Bearer {TOKEN}"] * 8 + ["", "Bearer", "Bearer nope", "Basic x", f"bearer {TOKEN}"]
)


@fuzz
@given(report_requests(NOW), tokens)
def test_any_report_request_is_answered_without_a_server_error(
    client: Client, request: tuple[bytes, str], authorization: str
) -> None:
    body, content_type = request
    answer = client.post("/v1/reports", body, {"content-type": content_type, "authorization": authorization})
    check_reports_answer(answer.status_code, answer.content)


@fuzz
@given(sms_requests(NOW))
def test_any_sms_is_answered_with_a_reply_and_never_a_server_error(
    client: Client, request: tuple[bytes, str]
) -> None:
    body, content_type = request
    answer = client.post("/v1/sms", body, {"content-type": content_type})
    check_sms_answer(answer.status_code, answer.headers.get("content-type", ""), answer.content)
