"""An alert resolved by hand (the API's resolveAlert) against the aggregator's alert upserts,
on real PostgreSQL: a replayed transition must not reopen it; a newer one may."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from services.aggregator.sink import write_alerts
from services.api.auth import generate_key, hash_secret
from services.api.repository.alerts import record_action
from services.api.repository.keys import insert_key
from services.common.contracts import events as ev

OPENED = datetime(2026, 3, 1, 9, tzinfo=UTC)
ALERT = ev.Alert(
    id="turnout_jump:ALA-0001", rule="turnout_jump", severity=ev.Severity.CRITICAL,
    state=ev.AlertState.OPEN, transition=ev.AlertTransition.OPENED, station_id="ALA-0001",
    region_id="ALA", value=18.0, threshold=15.0, message="turnout rose 18.0 pp", report_ids=("r1", "r2"),
    opened_at=OPENED, updated_at=OPENED, resolved_at=None, confidence=1.0, version=1,
)  # fmt: skip


async def test_a_replayed_transition_does_not_reopen_a_hand_resolved_alert(
    database_url: str, db: asyncpg.Connection
) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        key = generate_key()
        await insert_key(db, key.id, hash_secret(key.secret), "admin", "ops", False)
        await write_alerts(db, [ALERT])
        resolved = await record_action(pool, ALERT.id, "resolve", key.id, "ops", "false alarm")
        assert resolved is not None
        assert resolved["state"] == "resolved"

        await write_alerts(db, [ALERT])  # the same version again, as after an aggregator crash
        assert await db.fetchval("SELECT state FROM alerts WHERE id = $1", ALERT.id) == "resolved"

        newer = replace(ALERT, transition=ev.AlertTransition.UPDATED, value=25.0, version=2)
        await write_alerts(db, [newer])  # the condition changed since: the aggregator's word
        row = await db.fetchrow("SELECT state, value, version FROM alerts WHERE id = $1", ALERT.id)
        assert row is not None
        assert (row["state"], row["value"], row["version"]) == ("open", 25.0, 2)
    finally:
        await pool.close()
