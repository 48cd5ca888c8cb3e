"""Whether a replay's protocols reached the read model (PostgreSQL), as sent.

A replay is done when every final protocol it sent is in `reports` (by this run's report ids:
a station replayed before already has figures) and each station's figures in `station_stats`
carry that protocol's counts and votes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from services.common.contracts import events as ev

COUNTS = ("ballots_issued", "ballots_cast", "valid_ballots", "invalid_ballots")
SHOWN = 5  # mismatches listed; the rest are counted


@dataclass(frozen=True, slots=True)
class SentProtocol:
    report_id: str
    station_id: str
    protocol: ev.FinalProtocol


@dataclass(frozen=True, slots=True)
class Checked:
    arrived: int  # protocols of this run in `reports`
    expected: int
    seconds: float
    mismatches: tuple[str, ...] = ()  # stations whose figures differ from what was sent

    @property
    def complete(self) -> bool:
        return self.arrived == self.expected and not self.mismatches


def mismatches(sent: Sequence[SentProtocol], read: Mapping[str, Any]) -> dict[str, str]:
    """Station -> how its `station_stats.protocol` (decoded JSON, or None) differs from the
    protocol sent (the first field that does), for each station where it does."""
    out: dict[str, str] = {}
    for s in sent:
        got = read.get(s.station_id)
        if not isinstance(got, dict):
            out[s.station_id] = "no protocol in station_stats"
            continue
        want: dict[str, Any] = {name: getattr(s.protocol, name) for name in COUNTS}
        want["votes"] = dict(s.protocol.votes)
        for name, value in want.items():
            if got.get(name) != value:
                out[s.station_id] = f"{name} read {got.get(name)!r}, sent {value!r}"
                break
    return out


async def _arrived(conn: asyncpg.Connection, ids: list[str]) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM reports WHERE id = ANY($1::text[])", ids))


async def _read(conn: asyncpg.Connection, stations: list[str]) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT station_id, protocol::text AS protocol FROM station_stats WHERE station_id = ANY($1::text[])",
        stations,
    )
    return {r["station_id"]: orjson.loads(r["protocol"]) if r["protocol"] else None for r in rows}


async def wait_for_protocols(
    database_url: str,
    sent: Sequence[SentProtocol],
    timeout_s: float,
    on_progress: Callable[[int], None] = lambda arrived: None,
    poll_s: float = 2.0,
) -> Checked:
    """Polls until every protocol sent is in `reports` and every station's figures carry it,
    or `timeout_s` passed. (A batch's figures are written just after its raw reports, so the
    figures are checked again, for the stations that differ, until they agree.)"""
    ids = [s.report_id for s in sent]
    started = time.monotonic()
    waiting = list(sent)
    wrong: dict[str, str] = {}
    conn = await asyncpg.connect(database_url)
    try:
        while True:
            arrived = await _arrived(conn, ids)
            on_progress(arrived)
            if arrived == len(ids):
                wrong = mismatches(waiting, await _read(conn, [s.station_id for s in waiting]))
                waiting = [s for s in waiting if s.station_id in wrong]
            if (arrived == len(ids) and not waiting) or time.monotonic() - started >= timeout_s:
                break
            await asyncio.sleep(poll_s)
    finally:
        await conn.close()
    shown = [f"{station}: {why}" for station, why in list(wrong.items())[:SHOWN]]
    if len(wrong) > SHOWN:
        shown.append(f"... and {len(wrong) - SHOWN} more")
    return Checked(arrived, len(ids), time.monotonic() - started, tuple(shown))
