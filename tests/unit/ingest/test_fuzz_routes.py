"""Every ingest input through the real route handlers (reports, batches, protobuf, SMS in each
gateway's format), with an intake that accepts whatever reaches it: no answer is 5xx, every
refusal is a 4xx naming the field. tests/integration/ingest/test_fuzz_http.py sends the same
inputs to the whole service on the real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.infra.clock import ManualClock
from services.common.infra.settings import ReportingWindow, SharedSettings
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings
from tests.support.asgi import running
from tests.support.ingest_inputs import (
    check_reports_answer,
    check_sms_answer,
    report_requests,
    sms_requests,
)
from tests.unit.ingest.fakes import NOW, TOKEN, Fakes


@dataclass
class Client:
    """The app on an event loop of its own, called one request at a time."""

    loop: asyncio.AbstractEventLoop
    http: httpx.AsyncClient

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(self.http.post(path, content=body, headers=headers))


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """The whole app, with an intake that accepts whatever reaches it."""
    window = ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 2, 6, tzinfo=UTC))
    shared = SharedSettings(reporting_opens_at=window.opens_at, reporting_closes_at=window.closes_at)
    app = create_app(IngestSettings(shared=shared), ManualClock(NOW), services=Fakes().services())
    loop = asyncio.new_event_loop()
    served = running(app)
    try:
        yield Client(loop, loop.run_until_complete(served.__aenter__()))
    finally:
        loop.run_until_complete(served.__aexit__(None, None, None))
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
