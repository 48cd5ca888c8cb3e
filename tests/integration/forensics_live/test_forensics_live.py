"""Live forensics through the aggregator process, on real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.forensics.integer_excess import integer_excess
from tests.integration.aggregator import harness
from tests.integration.forensics_live.election import CLEAN, RIGGED, elections, protocol_reports, registry
from tests.support.processes import Service


def aggregator(shared: SharedSettings, workdir: Path) -> AbstractContextManager[Service]:
    return harness.aggregator(
        shared, workdir, AGGREGATOR_FORENSICS_INTERVAL_S="0.5", AGGREGATOR_FORENSICS_MIN_STATIONS="200"
    )


async def produce(shared: SharedSettings, reports: Sequence[ev.Report]) -> None:
    """Final protocols into the reports topic, as ingest writes them (keyed by station)."""
    producer = AIOKafkaProducer(bootstrap_servers=shared.kafka_bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        name = shared.topic(topics.REPORTS.name)
        for r in reports:
            await producer.send(name, key=r.station_id.encode(), value=codec.encode_report(r))
        await producer.flush()
    finally:
        await producer.stop()


async def forensics_rows(db: asyncpg.Connection) -> dict[str, dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM forensics")
    return {
        r["region_id"]: {
            "stations": r["stations"],
            "computed_at": r["computed_at"],
            "summary": json.loads(r["summary"]),
            "fingerprint": json.loads(r["fingerprint"]),
        }
        for r in rows
    }


async def wait_for(db: asyncpg.Connection, service: Service, done: Any, what: str, wait_s: float = 90) -> Any:
    deadline = time.monotonic() + wait_s
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(f"aggregator exited:\n{service.log_tail()}")
        rows = await forensics_rows(db)
        alerts = {r["id"]: dict(r) for r in await db.fetch("SELECT * FROM alerts")}
        if done(rows, alerts):
            return rows, alerts
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: {sorted(rows)} {sorted(alerts)}\n{service.log_tail()}")
        await asyncio.sleep(0.3)


async def test_rigged_region_gets_figures_and_an_alert_and_a_correction_resolves_it(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    clean, rigged = elections()
    await store_registry(db, registry(rigged))
    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        # Every protocol twice (a second report of the same figures): nothing counts twice.
        await produce(shared_settings, protocol_reports(rigged) + protocol_reports(rigged, minute=1))
        rows, alerts = await wait_for(
            db,
            service,
            lambda rows, alerts: (
                rows.get("", {}).get("stations") == rigged.size and "integer_excess:RF" in alerts
            ),
            "figures and alert of the rigged election",
        )
        batch = integer_excess(rigged, simulations=1000, seed=0)
        national = rows[""]["summary"]
        assert national["leader"] == "A"
        assert national["tested"] == batch.either.stations
        assert national["integer"]["either"]["observed"] == batch.either.observed
        assert national["integer"]["turnout"]["observed"] == batch.turnout.observed
        assert abs(national["integer"]["either"]["expected"] - batch.either.expected) < 0.01
        regions = {r.region: r.test for r in batch.regions}
        assert rows[RIGGED]["summary"]["integer"]["either"]["observed"] == regions[RIGGED].observed
        assert rows[RIGGED]["summary"]["significant"] is True
        assert rows[CLEAN]["summary"]["significant"] is False
        assert rows[CLEAN]["summary"]["integer"]["either"]["z"] < 3
        assert rows[RIGGED]["stations"] + rows[CLEAN]["stations"] == rigged.size
        heat = rows[""]["fingerprint"]
        assert heat["bins"] == 50
        assert sum(map(sum, heat["counts"])) == rigged.size

        alert = alerts["integer_excess:RF"]
        assert (alert["rule"], alert["severity"], alert["state"]) == ("integer_excess", "warning", "open")
        assert (alert["station_id"], alert["region_id"], alert["threshold"]) == ("", RIGGED, 4.0)
        assert alert["value"] >= 4.0
        assert not [a for a in alerts.values() if a["region_id"] == CLEAN]

        # Corrected protocols replace the rigged ones: same stations, excess gone, alert resolved.
        reference = {r.region: r.test for r in integer_excess(clean, simulations=1000, seed=0).regions}
        await produce(shared_settings, protocol_reports(clean, minute=2))

        def corrected(rows: dict[str, Any], alerts: dict[str, Any]) -> bool:
            # The alert may resolve before the last corrections arrive: wait for all of them.
            observed = rows[RIGGED]["summary"]["integer"]["either"]["observed"]
            resolved = alerts.get("integer_excess:RF", {}).get("state") == "resolved"
            return bool(resolved and observed == reference[RIGGED].observed)

        rows, alerts = await wait_for(db, service, corrected, "resolution after the corrected protocols")
    fixed = rows[RIGGED]["summary"]
    assert rows[""]["stations"] == clean.size
    assert fixed["significant"] is False
    assert fixed["integer"]["either"]["z"] < 4
    assert rows[CLEAN]["summary"]["integer"]["either"]["observed"] == reference[CLEAN].observed
    assert alerts["integer_excess:RF"]["version"] >= 2
