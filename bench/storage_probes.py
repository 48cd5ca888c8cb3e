"""What the benchmark's broker and PostgreSQL hold and have spent: bytes on disk per topic, table
sizes, WAL written, CPU seconds. Read from the broker's data directory, PostgreSQL's catalogue and
/proc, so they measure what the services really wrote, not what they meant to."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import asyncpg

from bench.support import ENV

KAFKA_DATA = Path(ENV["PW_STATE_DIR"]) / "kafka" / "data"
PG_DATA = Path(ENV["PW_STATE_DIR"]) / "postgres" / "data"
_TABLES = """
SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
"""


def postgres_cpu_s() -> float:
    """CPU seconds the benchmark PostgreSQL has used: the postmaster, its reaped and its live children."""
    postmaster = int((PG_DATA / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from field 3 (state) on
        except OSError:  # exited meanwhile
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster or ppid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def kafka_bytes(namespace: str) -> dict[str, int]:
    """Bytes of the namespace's topics on the broker's disk, by topic (partitions summed)."""
    out: Counter[str] = Counter()
    for part in KAFKA_DATA.glob(f"{namespace}.*"):
        topic = part.name.removeprefix(f"{namespace}.").rsplit("-", 1)[0]
        out[topic] += sum(f.stat().st_size for f in part.glob("*.log"))
    return dict(out)


async def pg_snapshot(url: str) -> tuple[str, dict[str, int]]:
    """A checkpoint, then the WAL position and every table's size (indexes and TOAST included)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CHECKPOINT")  # WAL measured from a fresh checkpoint, full-page images included
        lsn = await conn.fetchval("SELECT pg_current_wal_lsn()::text")
        return lsn, {name: size for name, size in await conn.fetch(_TABLES)}
    finally:
        await conn.close()


async def wal_since(url: str, lsn: str) -> int:
    """Bytes of WAL written since `lsn` (by the whole cluster: nothing else runs during a bench)."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)", lsn))
    finally:
        await conn.close()
