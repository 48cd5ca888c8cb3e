"""Onboarding benchmark: the 2,000-monitor demo roster imported into PostgreSQL (target: under
10 s), then imported again (nothing changes). Baseline from the same run: the same rows written
with one COPY into a scratch table, the least a first import can cost.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from bench.support import fresh_settings
from services.common.monitors.onboarding import import_roster
from services.common.registry.demo_monitors import demo_monitors, to_csv
from services.common.registry.demo_registry import demo_registry
from services.common.registry.station_store import store_registry

TARGET_SECONDS = 10.0


async def _measure(url: str) -> dict[str, float]:
    conn = await asyncpg.connect(url)
    try:
        await store_registry(conn, demo_registry())
        monitors = demo_monitors()
        text = to_csv(monitors)
        await conn.execute(
            "CREATE TEMP TABLE copy_baseline (name text, phone text, stations text, lang text, region text)"
        )
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "copy_baseline",
            records=[(m.name, m.phone, ";".join(m.stations), m.language, m.region) for m in monitors],
        )
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        first = await import_roster(conn, text, "bench", dry_run=False)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        again = await import_roster(conn, text, "bench", dry_run=False)
        reimported = time.perf_counter() - started
    finally:
        await conn.close()
    assert (first.plan.added, len(first.roster.refusals)) == (len(monitors), 0)
    assert (again.plan.added, again.plan.updated) == (0, 0), "a re-import changed something"
    return {
        "monitors": float(len(monitors)),
        "import_seconds": round(imported, 3),
        "reimport_seconds": round(reimported, 3),
        "baseline_copy_seconds": round(baseline, 4),
        "import_vs_copy": round(imported / baseline, 1),
        "import_vs_target": round(imported / TARGET_SECONDS, 3),
    }


def run() -> dict[str, float]:
    shared = fresh_settings()
    return asyncio.run(_measure(shared.database_url.get_secret_value()))
