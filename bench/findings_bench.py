"""Alert quality of the findings rules: precision and recall of monitor_absent, the violation
rules for family voting, restricted monitors, no clear view and secrecy (violation_reported, per
type), and the checklist rules (checklist_failed per station, checklist_region per region).

A simulated day (services/simulator: barred monitors, opening checklists failing, one region
failing them throughout, minor incidents) goes through the aggregator process on the
benchmark's Kafka and PostgreSQL, sent hour by hour as monitors would; the alerts it stored
are compared with what the simulator's ground truth says each rule must raise, derived here
from the truth and the day's reports alone (never from the aggregator's code).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.support import fresh_settings
from services.common.checklist_config import ChecklistConfig, load_checklists
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.simulator.model import DayOptions, plan_day
from services.simulator.scenario import Day, Irregularity
from tests.integration.aggregator.harness import aggregator, produce, settled
from tests.support.factories import small_registry

PER_REGION = int(os.environ.get("PW_BENCH_FINDINGS_PER_REGION", "8"))
OPENING = datetime(2012, 1, 15, 1, 0, tzinfo=UTC)  # 07:00 in Almaty
VIOLATIONS = (
    ev.ViolationType.FAMILY_VOTING,
    ev.ViolationType.MONITOR_RESTRICTED,
    ev.ViolationType.NO_CLEAR_VIEW,
    ev.ViolationType.BALLOT_SECRECY,
)


def expected(day: Day, questions: ChecklistConfig) -> dict[str, set[str]]:
    """What each rule must raise: stations (regions for checklist_region), from the truth."""
    out: dict[str, set[str]] = defaultdict(set)
    region_of = {t.station_id: t.region_id for t in day.truth.values()}
    for t in day.truth.values():
        if Irregularity.MONITOR_BARRED in t.irregularities:
            out["monitor_absent"].add(t.station_id)
    latest: dict[tuple[str, str], dict[str, bool]] = {}  # (station, phase) -> answers
    for r in day.reports:  # in time order
        if isinstance(r.body, ev.Incident) and r.body.violation in VIOLATIONS:
            out[f"violation_reported.{r.body.violation.value}"].add(r.station_id)
        if isinstance(r.body, ev.Checklist):
            latest[(r.station_id, r.body.phase.value)] = dict(r.body.answers)
    critical = {q.key for q in questions.questions if q.critical}
    observed: dict[str, set[str]] = defaultdict(set)
    for r in day.reports:
        observed[region_of[r.station_id]].add(r.station_id)
    no: dict[tuple[str, str], set[str]] = defaultdict(set)  # (region, question key) -> stations
    for (station, phase), answers in latest.items():
        for question, answer in answers.items():
            key = f"{phase}.{question}"
            if answer is False and key in {q.key for q in questions.questions}:
                no[(region_of[station], key)].add(station)
                if key in critical:
                    out["checklist_failed"].add(station)
    rule = questions.region_alert
    for (region, _), stations in no.items():
        seen = len(observed[region])
        if seen >= rule.min_observed and 100 * len(stations) >= rule.share_pct * seen:
            out["checklist_region"].add(region)
    return out


def raised(alerts: list[asyncpg.Record]) -> dict[str, set[str]]:
    """What the aggregator raised, in the same terms (violation_reported split by type named)."""
    out: dict[str, set[str]] = defaultdict(set)
    for a in alerts:
        if a["rule"] == "checklist_region":
            out["checklist_region"].add(a["region_id"])
        elif a["rule"] == "violation_reported":
            texts = orjson.loads(a["texts"]) if isinstance(a["texts"], str | bytes) else a["texts"]
            for t in texts:
                out[f"violation_reported.{t['params']['violation']}"].add(a["station_id"])
        elif a["rule"] in ("monitor_absent", "checklist_failed"):
            out[a["rule"]].add(a["station_id"])
    return out


def scores(want: dict[str, set[str]], got: dict[str, set[str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    rules = ["monitor_absent", "checklist_failed", "checklist_region"]
    rules += [f"violation_reported.{v.value}" for v in VIOLATIONS]
    for rule in rules:
        hits = len(want[rule] & got[rule])
        out[f"{rule}_expected"] = float(len(want[rule]))
        out[f"{rule}_raised"] = float(len(got[rule]))
        out[f"{rule}_precision"] = hits / len(got[rule]) if got[rule] else float("nan")
        out[f"{rule}_recall"] = hits / len(want[rule]) if want[rule] else float("nan")
    return out


async def _processed(conn: asyncpg.Connection, reports: int, wait_s: float = 120) -> None:
    """Waits until the figures hold `reports` reports and a region tick (200 ms) followed."""
    deadline = time.monotonic() + wait_s
    while await conn.fetchval("SELECT coalesce(sum(reports_processed), 0) FROM station_stats") < reports:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the aggregator did not take {reports} reports in {wait_s} s")
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)


async def _send_day(shared: SharedSettings, day: Day) -> int:
    """Hour by hour, each hour rolled up before the next; returns the reports sent."""
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        reports = [
            ev.Report(
                r.report_id,
                r.station_id,
                f"m-{r.station_id}",
                ev.Channel.HTTP,
                r.observed_at,
                r.observed_at,
                r.body,
            )
            for r in day.reports
        ]
        hours: dict[int, list[ev.Report | bytes]] = defaultdict(list)
        for r in reports:
            hours[int((r.observed_at - day.opening) / timedelta(hours=1))].append(r)
        sent: list[ev.Report | bytes] = []
        for hour in sorted(hours):
            await produce(shared, hours[hour])
            sent += hours[hour]
            await _processed(conn, len(sent))
        return len(reports)
    finally:
        await conn.close()


async def _prepare(shared: SharedSettings) -> Day:
    registry = small_registry(PER_REGION)
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        await store_registry(conn, registry)
        ids = [s.id for s in registry.stations]
        await conn.executemany(
            "INSERT INTO monitors (id, display_name, token_hash) VALUES ($1, $1, $2)",
            [(f"m-{s}", f"hash-{s}") for s in ids],
        )
        await conn.executemany(
            "INSERT INTO monitor_stations (monitor_id, station_id) VALUES ($1, $2)",
            [(f"m-{s}", s) for s in ids],
        )
    finally:
        await conn.close()
    # One region fails its opening checklists throughout: checklist_region must see it.
    failing = frozenset({registry.regions[0].id})
    options = DayOptions(OPENING, "fb", seed=7, irregular_share=0.35, failing_regions=failing)
    return plan_day(list(registry.stations), options)


def run() -> dict[str, Any]:
    shared = fresh_settings()
    day = asyncio.run(_prepare(shared))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, aggregator(shared, Path(tmp)) as service:
        assert service.wait_ready().status_code == 200
        count = asyncio.run(_send_day(shared, day))

        async def alerts() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(shared.database_url.get_secret_value())
            try:
                await settled(conn, count, service, wait_s=300)
                return list(await conn.fetch("SELECT rule, station_id, region_id, texts FROM alerts"))
            finally:
                await conn.close()

        found = asyncio.run(alerts())
    out: dict[str, Any] = {
        "stations": float(len(day.truth)),
        "reports": float(count),
        "day_through_aggregator_s": time.monotonic() - started,
    }
    out |= scores(expected(day, load_checklists()), raised(found))
    for key, value in out.items():
        print(f"{key:50s} {value:10.3f}")
    return out


if __name__ == "__main__":
    run()
