"""Reports observed outside the election's reporting window, or ahead of the clock, are refused
at the door (HTTP 422 naming observed_at, an SMS reply saying so) and never reach Kafka."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import PHONE, Seeded, ingest_settings, reports_on_topic
from tests.support.asgi import running


async def test_a_years_old_or_future_report_is_refused_over_http_and_sms(
    shared_settings: SharedSettings, seeded: Seeded
) -> None:
    now = datetime.now(UTC)
    opens, closes = now - timedelta(hours=30), now + timedelta(hours=6)
    shared = shared_settings.model_copy(update={"reporting_opens_at": opens, "reporting_closes_at": closes})
    headers = {"Authorization": f"Bearer {seeded.token}"}

    def turnout(report_id: str, observed_at: datetime) -> dict[str, object]:
        return {
            "id": report_id,
            "station_id": "ALA-0123",
            "observed_at": observed_at.isoformat(),
            "turnout": {"ballots_issued": 10},
        }

    window = f"{opens.isoformat()} to {closes.isoformat()}"
    async with running(create_app(ingest_settings(shared))) as client:
        old = await client.post(
            "/v1/reports", json=turnout("old", datetime(2001, 3, 4, 9, tzinfo=UTC)), headers=headers
        )
        assert old.status_code == 422
        assert old.json()["results"][0]["errors"] == [
            {
                "field": "observed_at",
                "code": "outside_window",
                "message": f"2001-03-04T09:00:00+00:00 is outside the election's reporting window, {window}",
            }
        ]
        ahead = await client.post(
            "/v1/reports", json=turnout("ahead", now + timedelta(hours=1)), headers=headers
        )
        assert ahead.status_code == 422
        assert [(e["field"], e["code"]) for e in ahead.json()["results"][0]["errors"]] == [
            ("observed_at", "in_future")
        ]
        kept = await client.post(
            "/v1/reports", json=turnout("kept", now - timedelta(hours=29)), headers=headers
        )
        assert kept.status_code == 202

        texted = await sms(client, "T 0123 450", sent_at="2001-03-04T09:00:00Z")
        assert texted.json()["status"] == "rejected"
        refusal = "NOT SAVED. time: 2001-03-04T09:00:00+00:00 is outside the election's reporting window"
        assert texted.json()["reply"] == f"{refusal}, {window}."
    assert [r.id for r in await reports_on_topic(shared_settings)] == ["kept"]


async def sms(client: httpx.AsyncClient, text: str, sent_at: str) -> httpx.Response:
    return await client.post("/v1/sms", data={"from": PHONE, "text": text, "sent_at": sent_at})
