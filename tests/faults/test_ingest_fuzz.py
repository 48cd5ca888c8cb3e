"""Ingest fuzzed over the wire, on the fault suite's stack once its faults are done (two workers,
production settings, the aggregator and the API behind it on the real Kafka and PostgreSQL), by
a monitor of its own on stations no phone reports from: no answer is a 5xx other than a 503
during a real outage, every refused report is named with its field path, the services are
ready afterwards, and every report ingest acknowledged reaches the read model and is counted
there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from tests.faults.figures import FUZZED, FuzzFigures, write
from tests.faults.fuzz_answers import Tally
from tests.faults.fuzz_requests import Target, fuzz, send_hostile
from tests.faults.harness import Harness
from tests.faults.stack import SERVICES

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(600)]
STORED_WITHIN_S = 60.0


async def _read_model_problems(conn: asyncpg.Connection, acknowledged: set[str]) -> tuple[int, list[str]]:
    """Waits for every acknowledged report in `reports`; returns how many are missing, and what
    is wrong (missing reports, stations counting other than their rows)."""
    deadline = time.monotonic() + STORED_WITHIN_S
    while True:
        rows = await conn.fetch("SELECT id FROM reports WHERE id = ANY($1)", list(acknowledged))
        stored = {r["id"] for r in rows}
        if stored == acknowledged or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    missing = sorted(acknowledged - stored)
    problems = (
        [f"{len(missing)} acknowledged reports not in the read model: {missing[:5]}"] if missing else []
    )
    miscounted = await conn.fetch(
        """SELECT s.station_id, s.reports_processed, count(r.id) AS n FROM station_stats s
           LEFT JOIN reports r ON r.station_id = s.station_id
           GROUP BY s.station_id, s.reports_processed HAVING s.reports_processed <> count(r.id)"""
    )
    problems += [
        f"{m['station_id']} counts {m['reports_processed']} reports of {m['n']} rows" for m in miscounted
    ]
    return len(missing), problems


async def _probe(name: str, send: Callable[[Target, Tally], None], harness: Harness) -> None:
    tally = Tally()
    await asyncio.to_thread(send, harness.fuzz, tally)
    conn = await asyncpg.connect(harness.shared.database_url.get_secret_value())
    try:
        lost, problems = await _read_model_problems(conn, tally.acknowledged)
    finally:
        await conn.close()
    async with httpx.AsyncClient(timeout=10) as client:
        for service in SERVICES:
            ready = await client.get(f"{harness.stack.url(service)}/readyz")
            if ready.status_code != 200:
                problems.append(f"{service} not ready after the probes: {ready.text}")
    figures = FuzzFigures(
        name,
        tally.probes,
        {f"{r} {s}": n for (r, s), n in sorted(tally.statuses.items())},
        tally.server_errors,
        len(tally.acknowledged),
        lost,
    )
    figures.problems = tally.violations + problems
    FUZZED.append(figures)
    write()
    assert tally.probes, "nothing was sent"
    assert not figures.problems, f"{len(figures.problems)} problems:\n" + "\n".join(figures.problems[:20])


async def test_generated_requests_get_no_server_error_and_each_bad_field_named(harness: Harness) -> None:
    await _probe("schemathesis cases from /openapi.json", fuzz, harness)


async def test_hostile_inputs_are_refused_with_a_4xx_or_stored_and_counted(harness: Harness) -> None:
    await _probe("known hostile inputs", send_hostile, harness)
