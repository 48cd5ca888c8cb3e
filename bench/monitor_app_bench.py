"""The monitor app over a 2G connection: first load and one report's round trip.

ingest runs as a process on the benchmark Kafka and PostgreSQL; a fresh headless Chromium (cold
cache) opens the sign-in link until the forms can be opened (its /v1/me and /v1/forms answered),
then sends a turnout report and waits until the outbox shows it sent. Once unthrottled
(the baseline) and once with Chromium's network emulation at 2G (300 ms latency, 250 kbit/s down,
50 kbit/s up, DevTools' old "Regular 2G"). Also the bytes the first load transferred.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.support import fresh_settings
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.ingest.monitors import add_monitor

PROFILES: dict[str, dict[str, int] | None] = {
    "unthrottled": None,
    "2g": {"latency": 300, "down": 250_000 // 8, "up": 50_000 // 8},
}
TRANSFERRED = """performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .reduce((sum, e) => sum + e.transferSize, 0)"""


async def _seed(shared: SharedSettings) -> str:
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        await store_registry(
            conn, Registry((Region("ALA", "Almaty"),), (Station("ALA-0001", "ALA", "School 1", 1000),))
        )
        _, token = await add_monitor(conn, "Bench Monitor", "+77010000000", ["ALA-0001"])
        return token
    finally:
        await conn.close()


def _profile(ingest: str, token: str, throttle: dict[str, int] | None) -> dict[str, Any]:
    from tests.e2e.dashboard.browser import Browser

    phone = Browser(width=412, height=915, locale="ru-RU")
    try:
        if throttle:
            phone("throttle", **throttle)
        phone("goto", url=f"{ingest}/m/#t={token}")
        phone("waitSelector", selector='[data-form="turnout"]:not([disabled])', timeout=120_000)
        # From the navigation's start, in the page: a fresh Chromium profile spends seconds of its
        # own before its first navigation starts, which no phone would.
        first_load_ms = phone("evaluate", script="performance.now()")
        transferred = phone("evaluate", script=TRANSFERRED)
        phone("click", selector='[data-form="turnout"]')
        phone("fill", selector="#ballotsIssued", value="120")
        phone("fill", selector="#homeVotingApplications", value="3")
        phone("click", selector="#send")
        round_trip_ms = phone(
            "waitSelector", selector='[data-testid="entry"][data-state="sent"]', timeout=120_000
        )
        return {
            "first_load_ms": round(first_load_ms),
            "first_load_transferred_bytes": transferred,
            "report_round_trip_ms": round_trip_ms,
        }
    finally:
        phone.close()


def run() -> dict[str, object]:
    from tests.e2e.dashboard.browser import ensure_chromium, ensure_dashboard_built
    from tests.support.processes import free_port, run_service, service_env

    ensure_chromium()
    ensure_dashboard_built()
    shared = fresh_settings()
    token = asyncio.run(_seed(shared))
    port = free_port()
    env = service_env(shared, INGEST_PORT=str(port), POLLWATCH_LOG_LEVEL="WARNING")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as logs, run_service("ingest", env, port, Path(logs)) as ingest:
        ready = ingest.wait_ready(timeout=90)
        assert ready.status_code == 200, ready.text
        _profile(
            ingest.url, token, None
        )  # warm-up, not reported: ingest's first queries, Chromium's first start
        for name, throttle in PROFILES.items():
            figures[name] = _profile(ingest.url, token, throttle)
        figures["app_bytes_gzip"] = _app_bytes(ingest.url)
    base, slow = figures["unthrottled"], figures["2g"]
    for figure in ("first_load_ms", "report_round_trip_ms"):
        figures[f"{figure}_ratio_2g_vs_unthrottled"] = round(slow[figure] / max(base[figure], 1), 1)
    return figures


def _app_bytes(ingest: str) -> int:
    """The page and its assets as ingest sends them gzipped: what the first load costs on the wire."""
    with httpx.Client(base_url=ingest, headers={"Accept-Encoding": "gzip"}, timeout=30) as client:
        page = client.get("/m/")
        total = int(page.headers.get("content-length", len(page.content)))
        for path in sorted(set(re.findall(r'(?:src|href)="(/m/[^"]+)"', page.text))):
            answer = client.get(path)
            total += int(answer.headers.get("content-length", len(answer.content)))
    return total


if __name__ == "__main__":
    print(run())
