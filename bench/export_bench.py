"""Export benchmark: a national day's reports (100,000 stations × 6 = 600,000 rows) exported as
CSV, Parquet and XLSX, the way GET /export/reports.<format> streams them (an admin's columns).

Each format runs in its own process (so its peak RSS is its own): rows/s and peak RSS, each
format's rows/s as a ratio against CSV measured in the same run, and the file size. The issue's
target: 600k rows in under 30 s with flat memory (`flat`: the peak RSS of the 600k-row export
stays within 1.5× that of a 60k-row one).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

import asyncpg

from bench.support import ENV, ROOT, fresh_settings
from services.api.auth import Principal, Role
from services.api.export import DATASETS, ExportFilter
from services.api.export_formats import FORMATS

STATIONS = 100_000
PER_STATION = 6
ADMIN = Principal(key_id="", role=Role.ADMIN, org="bench")


async def _seed(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO regions (id, name) SELECT 'R' || n, 'Region ' || n FROM generate_series(1, 20) n"
        )
        await conn.execute(
            """INSERT INTO stations (id, region_id, name, registered_voters)
               SELECT 'S' || lpad(n::text, 6, '0'), 'R' || (1 + n % 20), 'Station ' || n, 1000 + n % 2000
               FROM generate_series(1, $1) n""",
            STATIONS,
        )
        await conn.execute(
            """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body,
                                    kafka_partition, kafka_offset)
               SELECT 'r-' || s || '-' || k, 'S' || lpad(s::text, 6, '0'), 'mon-' || s, 'http', 'turnout',
                      t.at, t.at + interval '3 s',
                      jsonb_build_object('ballots_issued', 80 * k + s % 50,
                                         'home_voting_applications', s % 7),
                      s % 6, s * 10 + k
               FROM generate_series(1, $1) s, generate_series(1, $2) k,
                    LATERAL (SELECT timestamptz '2026-03-15 02:00+00' + k * interval '2 hours'
                                    + s * interval '1 ms' AS at) t""",
            STATIONS,
            PER_STATION,
        )
        await conn.execute("ANALYZE reports")
    finally:
        await conn.close()


async def _export(url: str, fmt: str, until: str | None) -> dict[str, Any]:
    """One export, the bytes discarded as a client would take them; returns rows/s, bytes, RSS."""
    conn = await asyncpg.connect(url)
    wanted = ExportFilter(until=None if until is None else datetime.fromisoformat(until))
    rows = await conn.fetchval(
        "SELECT count(*) FROM reports WHERE $1::timestamptz IS NULL OR observed_at < $1", wanted.until
    )
    size = 0
    started = time.perf_counter()
    try:
        async for chunk in FORMATS[fmt].chunks(conn, DATASETS["reports"], ADMIN, wanted):
            size += len(chunk)
    finally:
        await conn.close()
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_process(url: str, fmt: str, until: str | None = None) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.export_bench", url, fmt, until or ""]
    done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, float]:
    shared = fresh_settings()
    url = shared.database_url.get_secret_value()
    asyncio.run(_seed(url))
    # The small export: the first round's reports of stations 1..59,999 (observed 1 ms apart).
    small_until = "2026-03-15T04:01:00+00:00"
    out: dict[str, float] = {}
    figures = {fmt: _in_process(url, fmt) for fmt in ("csv", "parquet", "xlsx")}
    csv_rate = figures["csv"]["rows"] / figures["csv"]["seconds"]
    for fmt, f in figures.items():
        rate = f["rows"] / f["seconds"]
        out[f"{fmt}_rows"] = f["rows"]
        out[f"{fmt}_rows_per_s"] = round(rate)
        out[f"{fmt}_seconds"] = round(f["seconds"], 2)
        out[f"{fmt}_mib"] = round(f["bytes"] / 2**20, 1)
        out[f"{fmt}_peak_rss_mib"] = round(f["peak_rss_mib"], 1)
        out[f"{fmt}_vs_csv"] = round(rate / csv_rate, 3)
        small = _in_process(url, fmt, small_until)
        out[f"{fmt}_small_rows"] = small["rows"]
        out[f"{fmt}_small_peak_rss_mib"] = round(small["peak_rss_mib"], 1)
        out[f"{fmt}_flat"] = float(f["peak_rss_mib"] <= 1.5 * small["peak_rss_mib"])
    return out


if __name__ == "__main__":
    url, fmt, until = sys.argv[1], sys.argv[2], sys.argv[3] or None
    print(json.dumps(asyncio.run(_export(url, fmt, until))))
