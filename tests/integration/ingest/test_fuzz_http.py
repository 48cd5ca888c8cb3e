"""Every ingest input (JSON reports and batches, protobuf, SMS in each gateway's format) sent to
the whole service on the real Kafka and PostgreSQL: no answer is 5xx, every refusal is a 4xx
naming the field, everything written decodes, and the service is ready and accepting after."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import Seeded, ingest_settings, reports_on_topic
from tests.support.asgi import running
from tests.support.ingest_inputs import check_reports_answer, check_sms_answer, report_requests, sms_requests

NOW = datetime.now(UTC)
fuzz = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)


async def test_no_input_gets_a_server_error_and_the_service_stays_ready(
    shared_settings: SharedSettings, seeded: Seeded
) -> None:
    window = {"reporting_opens_at": NOW - timedelta(days=1), "reporting_closes_at": NOW + timedelta(days=1)}
    shared = shared_settings.model_copy(update=window)
    loop = asyncio.get_running_loop()
    async with running(create_app(ingest_settings(shared))) as client:

        def on_loop(call: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
            """The app lives on the test's loop; hypothesis drives it from a thread."""
            return asyncio.run_coroutine_threadsafe(call, loop).result(timeout=60)

        @fuzz
        @given(report_requests(NOW), st.sampled_from([True] * 5 + [False]))
        def reports(request: tuple[bytes, str], authorised: bool) -> None:
            body, content_type = request
            headers = {"content-type": content_type}
            if authorised:
                headers["authorization"] = f"Bearer {seeded.token}"
            answer = on_loop(client.post("/v1/reports", content=body, headers=headers))
            check_reports_answer(answer.status_code, answer.content)
            seen[f"reports {answer.status_code}"] += 1

        @fuzz
        @given(sms_requests(NOW))
        def texts(request: tuple[bytes, str]) -> None:
            body, content_type = request
            answer = on_loop(client.post("/v1/sms", content=body, headers={"content-type": content_type}))
            check_sms_answer(answer.status_code, answer.headers.get("content-type", ""), answer.content)
            seen[f"sms {answer.status_code}"] += 1
            seen["sms saved"] += b"OK " in answer.content

        seen: Counter[str] = Counter()
        await asyncio.to_thread(reports)
        await asyncio.to_thread(texts)
        # The inputs reach Kafka too, not only the refusals.
        assert seen["reports 202"] > 0
        assert seen["sms saved"] > 0

        assert (await client.get("/readyz")).status_code == 200
        report = {
            "id": str(uuid.uuid4()),
            "station_id": "ALA-0123",
            "observed_at": datetime.now(UTC).isoformat(),
            "turnout": {"ballots_issued": 1},
        }
        answer = await client.post(
            "/v1/reports", json=report, headers={"Authorization": f"Bearer {seeded.token}"}
        )
        assert answer.json()["results"][0]["status"] == "accepted"
    written = await reports_on_topic(shared_settings)  # each decodes
    assert report["id"] in {r.id for r in written}
