"""A scripted station day through the aggregator process, on real Kafka and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg

from services.common.contracts import topics
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from tests.integration.aggregator import scripted_day as day
from tests.integration.aggregator.harness import aggregator, dead_letters, produce_day, settled


async def test_scripted_day_gives_the_expected_figures_and_alerts(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(db, day.registry())
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        await produce_day(shared_settings, db, day.reports(), day.ROUNDS)
        snap = await settled(db, day.distinct_reports(), service)

    stations = {s["station_id"]: s for s in snap["stations"]}
    s01 = stations["S01"]
    assert (s01["ballots_issued"], s01["turnout_pct"], s01["reports_processed"]) == (930, 93.0, 12)
    assert stations["S03"]["ballots_issued"] == 65 * 3 + 9
    assert stations["S03"]["silent"] is True
    assert stations["S06"]["ballots_issued"] == 65 * 11 + 18  # the reordered reports did not inflate
    assert stations["S06"]["reports_processed"] == 12
    assert stations["S05"]["home_voting_pct"] == 6.0
    assert json.loads(stations["S02"]["incidents_total"]) == {"BALLOT_STUFFING": 2, "FAMILY_VOTING": 1}
    assert "Ballots in the boxes (700) exceed ballots issued (640)" in stations["S04"]["protocol"]
    assert stations["S11"]["turnout_pct"] == round(100 * (65 * 11 + 33) * 2 / 2000, 4)

    alerts = {(a["id"], a["state"], a["severity"]) for a in snap["alerts"]}
    assert alerts == day.EXPECTED_ALERTS
    grave = next(a for a in snap["alerts"] if a["id"] == "grave_incident:S02")
    assert grave["confidence"] == 0.95
    assert set(grave["report_ids"]) == {"S02-i110", "S02-i120"}
    # Each alert's reasons as catalog texts, for readers in every language.
    texts = json.loads(await db.fetchval("SELECT texts FROM alerts WHERE id = 'protocol_inconsistent:S04'"))
    cast_over_issued = {"cast": 700, "issued": 640}
    assert {"key": "protocol_inconsistent.cast_exceeds_issued", "params": cast_over_issued} in texts
    texts = json.loads(await db.fetchval("SELECT texts FROM alerts WHERE id = 'grave_incident:S02'"))
    assert texts == [{"key": "grave_incident.corroborated", "params": {"violation": "ballot_stuffing"}}]

    regions = {r["region_id"]: r for r in snap["regions"]}
    r1 = regions["R1"]
    assert (r1["stations_total"], r1["stations_reporting"], r1["stations_silent"]) == (10, 9, 1)
    assert json.loads(r1["incidents_total"]) == {"BALLOT_STUFFING": 2, "FAMILY_VOTING": 1}
    assert r1["incidents_per_100_stations"] == 30.0
    nat = regions[""]
    assert (nat["stations_total"], nat["registered_voters"]) == (12, 14000)
    assert nat["ballots_issued"] == sum(s["ballots_issued"] for s in snap["stations"])
    assert snap["reports"] == day.distinct_reports()

    letters = await dead_letters(shared_settings, at_least=2, wait_s=5)  # reads 5 s: exactly one
    assert len(letters) == 1
    letter = letters[0]
    assert letter.payload == day.GARBAGE
    assert letter.source == shared_settings.topic(topics.REPORTS.name)
    assert letter.offset >= 0
