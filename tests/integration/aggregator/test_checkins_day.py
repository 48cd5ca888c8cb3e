"""The findings day with one difference: F08's monitor, never heard from, replied OK at the
station (a check-in, services/ingest/checkin.py). The monitor is present: no monitor_absent for
F08, and the findings count F08 as observed; everything else is the day's."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import asyncpg

from services.api.repository.findings import region_counts
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from tests.integration.aggregator import findings_day as day
from tests.integration.aggregator.harness import aggregator, produce_day, settled
from tests.integration.aggregator.test_findings_day import assign_monitors


async def test_a_checked_in_monitor_is_present_and_the_station_observed(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path, database_url: str
) -> None:
    await store_registry(db, day.registry())
    await assign_monitors(db)
    first = min(r.observed_at for r in day.reports())
    await db.execute(
        "INSERT INTO monitor_checkins (monitor_id, at, channel) VALUES ($1, $2, 'sms')",
        day.monitor("F08"),
        first - timedelta(minutes=5),
    )
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        await produce_day(shared_settings, db, day.reports(), day.ROUNDS)
        snap = await settled(db, day.distinct_reports(), service)

    alerts = {
        (re.sub(r":\d+$", "", a["id"]), a["state"], a["severity"], a["confidence"])
        for a in snap["alerts"]
        if a["state"] == "open"
    }
    assert alerts == day.EXPECTED_ALERTS - {("monitor_absent:F08", "open", "critical", 0.6)}
    assert not [a for a in snap["alerts"] if a["id"].startswith("monitor_absent:F08")]

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        counts = await region_counts(pool, None)
    finally:
        await pool.close()
    assert (counts["R1"].observed, counts["R2"].observed) == (day.OBSERVED["R1"] + 1, day.OBSERVED["R2"])
