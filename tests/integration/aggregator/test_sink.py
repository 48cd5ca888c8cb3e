"""The read-model writes (services/aggregator/sink.py) against real PostgreSQL: every column as
written, a report's first copy in Kafka for its row, the larger count for the series, the newer figures for
stations, and replays change nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from services.aggregator import sink
from services.aggregator.domain.station_state import StationInfo
from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.support.factories import ELECTION_DAY, protocol, report, turnout

REGISTRY = {"ALA-0001": StationInfo("ALA", 1000), "ALA-0002": StationInfo("ALA", 800)}


def _received(*reports: ev.Report) -> list[sink.ReceivedReport]:
    return [
        sink.ReceivedReport(r, partition=3, offset=100 + i, payload=codec.encode_report(r))
        for i, r in enumerate(reports)
    ]


async def _reports(db: asyncpg.Connection) -> dict[str, dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM reports ORDER BY id")
    return {r["id"]: {**dict(r), "body": orjson.loads(r["body"])} for r in rows}


async def test_reports_and_series_every_column(db: asyncpg.Connection) -> None:
    flagged = turnout(
        1200, 7, id="t-1", minutes=60, flags=frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})
    )
    checklist = report(
        ev.Checklist(
            ev.ChecklistPhase.OPENING, {"station_ready": True, "voter_list_available": False}, "late"
        ),
        id="c-1",
        channel=ev.Channel.SMS,
    )
    incident = report(
        ev.Incident(ev.ViolationType.BALLOT_STUFFING, "seen at 10:02", ("https://e.example/1",)),
        id="i-1",
        station_id="ALA-0002",
        minutes=5,
    )
    final = report(protocol(), id="p-1", minutes=720)
    await sink.write_reports(db, _received(flagged, checklist, incident, final), REGISTRY)

    rows = await _reports(db)
    assert set(rows) == {"t-1", "c-1", "i-1", "p-1"}
    t = rows["t-1"]
    assert (t["station_id"], t["monitor_id"], t["channel"], t["kind"]) == (
        "ALA-0001",
        "mon-1",
        "http",
        "turnout",
    )
    assert (t["observed_at"], t["received_at"]) == (flagged.observed_at, flagged.received_at)
    assert t["flags"] == ["turnout_exceeds_registered"]
    assert t["body"] == {"ballots_issued": 1200, "home_voting_applications": 7}
    assert (t["kafka_partition"], t["kafka_offset"]) == (3, 100)
    assert rows["c-1"]["flags"] == []
    assert rows["c-1"]["channel"] == "sms"
    assert rows["c-1"]["body"] == {
        "phase": "opening",
        "answers": {"station_ready": True, "voter_list_available": False},
        "note": "late",
    }
    assert rows["i-1"]["body"] == {
        "violation": "ballot_stuffing",
        "description": "seen at 10:02",
        "evidence_urls": ["https://e.example/1"],
        "evidence_ids": [],
    }
    assert rows["p-1"]["kind"] == "protocol"
    assert rows["p-1"]["body"]["votes"] == {"P01": 400, "P02": 230}
    series = await db.fetch("SELECT * FROM turnout_series")
    assert [dict(r) for r in series] == [
        {
            "station_id": "ALA-0001",
            "observed_at": flagged.observed_at,
            "ballots_issued": 1200,
            "turnout_pct": 120.0,
        }
    ]


async def test_reports_first_write_wins_and_series_keeps_the_larger_count(db: asyncpg.Connection) -> None:
    first = turnout(300, id="t-1", minutes=30)
    await sink.write_reports(db, _received(first), REGISTRY)
    # The same id again (a replay; a changed field shows which copy is kept), a smaller and a
    # larger count at the same time.
    again = replace(first, monitor_id="other")
    lower = turnout(250, id="t-2", minutes=30)
    higher = turnout(310, id="t-3", minutes=30)
    await sink.write_reports(db, _received(again, lower, higher, lower), REGISTRY)

    rows = await _reports(db)
    assert rows["t-1"]["monitor_id"] == "mon-1"
    assert set(rows) == {"t-1", "t-2", "t-3"}
    series = await db.fetch("SELECT ballots_issued, turnout_pct FROM turnout_series")
    assert [tuple(r) for r in series] == [(310, 31.0)]


async def test_a_report_written_twice_to_kafka_keeps_its_first_copy(db: asyncpg.Connection) -> None:
    """A producer retrying after a broker outage wrote these reports twice: the station agent
    applied the first copies, so their rows say where those are, whether both copies came in one
    batch or the later one was written first (batches whose writes retried out of order)."""
    reports = [turnout(100 + n, id=f"t-{n:03d}", minutes=n) for n in range(200)]
    copies = [sink.ReceivedReport(r, 3, 500 + n, b"") for n, r in enumerate(reports)]
    copies += [sink.ReceivedReport(r, 3, 900 + n, b"") for n, r in enumerate(reports)]
    await sink.write_reports(db, copies, REGISTRY)
    late = turnout(5, id="late", minutes=300)
    await sink.write_reports(db, [sink.ReceivedReport(late, 3, 2000, b"")], REGISTRY)
    await sink.write_reports(db, [sink.ReceivedReport(late, 3, 1000, b"")], REGISTRY)

    offsets = {r["id"]: r["kafka_offset"] for r in await db.fetch("SELECT id, kafka_offset FROM reports")}
    assert offsets == {f"t-{n:03d}": 500 + n for n in range(200)} | {"late": 1000}


def _stats(station: str, ballots: int, minutes: int, **kw: Any) -> ev.StationStats:
    at = ELECTION_DAY + timedelta(minutes=minutes)
    values: dict[str, Any] = {
        "station_id": station, "region_id": "ALA", "registered_voters": 1000, "ballots_issued": ballots,
        "turnout_pct": ballots / 10, "turnout_rate_pp_per_hour": 2.5, "home_voting_applications": 4,
        "home_voting_pct": 0.4, "incidents_total": {"family_voting": 2}, "incidents_recent": {},
        "last_report_at": at, "open_alerts": 1, "protocol": None, "reports_processed": 9, "updated_at": at,
    }  # fmt: skip
    return ev.StationStats(**(values | kw))


async def test_station_stats_every_column_and_only_newer_figures_win(db: asyncpg.Connection) -> None:
    summary = ev.ProtocolSummary(1000, 640, 638, 630, 8, {"P01": 400}, False, ("valid + invalid != cast",))
    newer = _stats("ALA-0001", 640, 600, protocol=summary, silent=True)
    quiet = _stats("ALA-0002", 0, 10, last_report_at=None, incidents_total={}, open_alerts=0)
    await sink.write_station_stats(db, [_stats("ALA-0001", 500, 590), newer, quiet])
    await sink.write_station_stats(db, [_stats("ALA-0001", 600, 595)])  # older: ignored

    rows = {r["station_id"]: dict(r) for r in await db.fetch("SELECT * FROM station_stats")}
    a = rows["ALA-0001"]
    assert (a["ballots_issued"], a["turnout_pct"], a["turnout_rate_pp_per_hour"]) == (640, 64.0, 2.5)
    assert (a["registered_voters"], a["home_voting_applications"], a["home_voting_pct"]) == (1000, 4, 0.4)
    assert orjson.loads(a["incidents_total"]) == {"family_voting": 2}
    assert orjson.loads(a["incidents_recent"]) == {}
    assert orjson.loads(a["protocol"]) == {
        "registered_voters": 1000, "ballots_issued": 640, "ballots_cast": 638, "valid_ballots": 630,
        "invalid_ballots": 8, "votes": {"P01": 400}, "copy_received": False,
        "inconsistencies": ["valid + invalid != cast"],
    }  # fmt: skip
    assert (a["last_report_at"], a["updated_at"]) == (newer.last_report_at, newer.updated_at)
    assert (a["open_alerts"], a["reports_processed"], a["silent"], a["region_id"]) == (1, 9, True, "ALA")
    q = rows["ALA-0002"]
    assert (q["last_report_at"], q["protocol"], q["silent"]) == (None, None, False)
    assert orjson.loads(q["incidents_total"]) == {}


async def test_own_figures_are_kept_for_the_region_agent(db: asyncpg.Connection) -> None:
    own = _stats("ALA-0001", 500, 590)
    await sink.write_station_stats(db, [own], {"ALA-0001": b"\x00own\xff"})
    # The region agent's view of the same figures (silence, region alerts) has no own figures.
    await sink.write_station_stats(db, [replace(own, silent=True, open_alerts=2)])
    row = await db.fetchrow("SELECT silent, open_alerts, figures FROM station_stats")
    assert row is not None
    assert (row["silent"], row["open_alerts"], row["figures"]) == (True, 2, b"\x00own\xff")
    assert await sink.read_own_figures(db) == [b"\x00own\xff"]
    # Newer own figures replace them; older ones (a replay) do not.
    await sink.write_station_stats(db, [_stats("ALA-0001", 510, 600)], {"ALA-0001": b"newer"})
    await sink.write_station_stats(db, [_stats("ALA-0001", 505, 595)], {"ALA-0001": b"older"})
    assert await sink.read_own_figures(db) == [b"newer"]


async def test_concurrent_figures_upserts_in_different_orders_do_not_deadlock(database_url: str) -> None:
    """The station agent and the region agent write station_stats at the same time (figures, and
    overlays of them), their rows in whatever order each batch holds them: rows locked in
    different orders deadlocked ("deadlock detected" in a national replay)."""
    stations = [f"S{n:05d}" for n in range(3000)]
    first = await asyncpg.connect(database_url)
    second = await asyncpg.connect(database_url)
    try:
        await sink.write_station_stats(first, [_stats(s, 100, 0) for s in stations])
        for round_ in range(1, 6):
            forward = [_stats(s, 100 + round_, round_) for s in stations]
            backward = [_stats(s, 100 + round_, round_) for s in reversed(stations)]
            await asyncio.gather(
                sink.write_station_stats(first, forward), sink.write_station_stats(second, backward)
            )
        assert await first.fetchval("SELECT min(ballots_issued) FROM station_stats") == 105
    finally:
        await first.close()
        await second.close()
