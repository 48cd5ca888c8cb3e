"""The largest acceptable reports are written to the real Kafka, and what is too large is
refused as such (413/422 naming the field), never answered 503 as if a resend could help."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.ingest.app import create_app
from services.ingest.monitors import add_monitor
from tests.integration.ingest.conftest import ingest_settings, reports_on_topic
from tests.support.asgi import running
from tests.support.largest_reports import largest_reports


async def test_the_largest_reports_are_written_and_larger_ones_refused_by_name(
    shared_settings: SharedSettings, db: asyncpg.Connection
) -> None:
    raws, ctx = largest_reports()
    (station,) = ctx.monitor_stations
    await store_registry(db, Registry((Region("R", "R"),), (Station(station, "R", "longest", 1_000_000),)))
    _, token = await add_monitor(db, "Monitor", None, [station])
    headers = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC).isoformat()
    sent = [{**raw, "id": f"largest-{i}", "observed_at": now} for i, raw in enumerate(raws)]
    async with running(create_app(ingest_settings(shared_settings))) as client:
        written = await client.post("/v1/reports", json={"reports": sent}, headers=headers)
        assert written.status_code == 202, written.text
        assert written.json()["accepted"] == len(sent)

        checklist = {"phase": "opening", "answers": {f"item_{i}": True for i in range(80_000)}}
        huge = {**sent[0], "id": "huge", "checklist": checklist}  # 1.5 MB of JSON
        refused = await client.post("/v1/reports", json=huge, headers=headers)
        assert refused.status_code == 422
        assert refused.json()["results"][0]["errors"] == [
            {"field": "checklist.answers", "code": "too_many", "message": "at most 100 answers, got 80000"}
        ]
        too_big = await client.post(
            "/v1/reports", json={"reports": [huge, huge]}, headers=headers
        )  # over 2 MiB
        assert (too_big.status_code, too_big.json()["error"]["field"]) == (413, "body")
        small = {**sent[0], "checklist": {"phase": "opening", "answers": {"a": True}}}
        too_many = await client.post("/v1/reports", json={"reports": [small] * 1001}, headers=headers)
        assert too_many.status_code == 413
        assert too_many.json()["error"] == {
            "code": "too_many",
            "field": "reports",
            "message": "a batch holds at most 1000 reports, got 1001",
        }
        assert not any("retry-after" in a.headers for a in (refused, too_big, too_many))
    on_topic = {r.id: r for r in await reports_on_topic(shared_settings)}
    assert sorted(on_topic) == ["largest-0", "largest-1", "largest-2"]
    for raw in sent:
        body = next(k for k in ("checklist", "incident", "protocol") if k in raw)
        kept = on_topic[raw["id"]].body
        if body == "checklist":
            assert kept.note == raw[body]["note"]  # type: ignore[union-attr]
            assert kept.answers == raw[body]["answers"]  # type: ignore[union-attr]
        elif body == "incident":
            assert kept.description == raw[body]["description"]  # type: ignore[union-attr]
            assert list(kept.evidence_urls) == raw[body]["evidence_urls"]  # type: ignore[union-attr]
        else:
            assert kept.votes == raw[body]["votes"]  # type: ignore[union-attr]
