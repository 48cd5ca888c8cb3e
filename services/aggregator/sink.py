"""Batched, idempotent PostgreSQL writes of the read model (reports, figures, series, alerts).

Every statement is an upsert guarded so that a replayed (older) row never overwrites a newer
one: reports keep their first copy in Kafka, figures the newer updated_at, alerts the higher
version, series the larger count.
Each statement takes its rows in key order: the station and region agents write station_stats
at the same time, and two upserts locking the same rows in different orders deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

from services.aggregator.domain.station_rules import pct
from services.aggregator.domain.station_state import StationInfo
from services.common.contracts import events as ev

T = TypeVar("T")
# A plain connection or one borrowed from a pool.
Conn = asyncpg.Connection | PoolConnectionProxy


@dataclass(frozen=True, slots=True)
class ReceivedReport:
    """A report as read from Kafka: decoded, where it was, and its bytes (for a dead letter)."""

    report: ev.Report
    partition: int
    offset: int
    payload: bytes


def _json(value: object) -> str:
    # Also a statement's rows, as one JSON array of objects keyed by column
    # (json_populate_recordset): datetimes as RFC 3339, enums by value, dataclasses as objects.
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def latest_by_key(items: Sequence[T], key: str) -> list[T]:
    """Conflates a batch: the last item per key, in first-seen order."""
    out: dict[object, T] = {}
    for item in items:
        out[getattr(item, key)] = item
    return list(out.values())


async def write_reports(
    conn: Conn, batch: Sequence[ReceivedReport], registry: dict[str, StationInfo]
) -> None:
    """Raw reports and the turnout series (the larger count wins), in one transaction of two
    set-based statements, whatever the batch size. Each statement takes its rows as one JSON
    document (orjson, in C) that PostgreSQL unpacks: the aggregator is one Python thread,
    PostgreSQL has a core of its own.

    A report's row is its first copy in Kafka, the one the station agent applied (later copies
    are duplicates to it): a producer retrying after a broker outage can write a report twice,
    and both copies may be in one batch, or land in batches whose writes retry out of order.
    The read model's `kafka_offset` then orders a station's reports as they were applied
    (tests/integration/aggregator/test_sink.py)."""
    first: dict[str, ReceivedReport] = {}
    for r in batch:  # the batch is in read order: each partition's offsets ascending
        first.setdefault(r.report.id, r)
    rows = [
        {
            "id": rep.id, "station_id": rep.station_id, "monitor_id": rep.monitor_id,
            "channel": rep.channel, "kind": rep.kind, "observed_at": rep.observed_at,
            "received_at": rep.received_at, "flags": sorted(rep.flags), "body": rep.body,
            "kafka_partition": r.partition, "kafka_offset": r.offset,
        }
        for r in first.values()
        for rep in (r.report,)
    ]  # fmt: skip
    series: dict[tuple[str, object], tuple[int, float]] = {}
    for r in batch:
        body = r.report.body
        if isinstance(body, ev.TurnoutUpdate):
            info = registry.get(r.report.station_id)
            share = round(pct(body.ballots_issued, info.registered_voters), 4) if info else 0.0
            key = (r.report.station_id, r.report.observed_at)
            # One row per key and statement (ON CONFLICT DO UPDATE may not touch a row twice).
            if key not in series or series[key][0] < body.ballots_issued:
                series[key] = (body.ballots_issued, share)
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at,
                                    flags, body, kafka_partition, kafka_offset)
               SELECT id, station_id, monitor_id, channel, kind, observed_at, received_at, flags, body,
                      kafka_partition, kafka_offset
               FROM json_populate_recordset(NULL::reports, $1::json)
               ORDER BY id
               ON CONFLICT (id) DO UPDATE SET
                 station_id = EXCLUDED.station_id, monitor_id = EXCLUDED.monitor_id,
                 channel = EXCLUDED.channel, kind = EXCLUDED.kind, observed_at = EXCLUDED.observed_at,
                 received_at = EXCLUDED.received_at, flags = EXCLUDED.flags, body = EXCLUDED.body,
                 kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset
               WHERE (EXCLUDED.kafka_partition, EXCLUDED.kafka_offset)
                     < (reports.kafka_partition, reports.kafka_offset)""",
            _json(rows),
        )
        if series:
            await conn.execute(
                """INSERT INTO turnout_series (station_id, observed_at, ballots_issued, turnout_pct)
                   SELECT station_id, observed_at, ballots_issued, turnout_pct
                   FROM json_populate_recordset(NULL::turnout_series, $1::json)
                   ORDER BY station_id, observed_at
                   ON CONFLICT (station_id, observed_at) DO UPDATE
                   SET ballots_issued = EXCLUDED.ballots_issued, turnout_pct = EXCLUDED.turnout_pct
                   WHERE turnout_series.ballots_issued < EXCLUDED.ballots_issued""",
                _json(
                    [
                        {"station_id": k[0], "observed_at": k[1], "ballots_issued": v[0], "turnout_pct": v[1]}
                        for k, v in series.items()
                    ]
                ),
            )


async def read_own_figures(conn: Conn) -> list[bytes]:
    """Every station's own figures as the station agent last wrote them (see write_station_stats)."""
    return [
        r["figures"] for r in await conn.fetch("SELECT figures FROM station_stats WHERE figures IS NOT NULL")
    ]


def _bytea(value: bytes | None) -> str | None:
    # bytea's text form, which json_populate_recordset reads from a JSON string.
    return None if value is None else "\\x" + value.hex()


async def write_station_stats(
    conn: Conn, batch: Sequence[ev.StationStats], own: Mapping[str, bytes] | None = None
) -> None:
    """The newest figures per station, in one statement (rows as one JSON document). `own`: the
    station agent's encoded figures by station, kept for the region agent (column `figures`); a
    row written without them (the region agent's views) keeps the ones it has."""
    own = own or {}
    rows = [
        {
            "station_id": s.station_id, "region_id": s.region_id,
            "registered_voters": s.registered_voters, "ballots_issued": s.ballots_issued,
            "turnout_pct": s.turnout_pct, "turnout_rate_pp_per_hour": s.turnout_rate_pp_per_hour,
            "home_voting_applications": s.home_voting_applications,
            "home_voting_pct": s.home_voting_pct, "incidents_total": s.incidents_total,
            "incidents_recent": s.incidents_recent, "last_report_at": s.last_report_at,
            "open_alerts": s.open_alerts, "protocol": s.protocol,
            "reports_processed": s.reports_processed, "silent": s.silent, "updated_at": s.updated_at,
            "figures": _bytea(own.get(s.station_id)),
            "violation_monitors": s.violation_monitors, "checklist": s.checklist,
        }
        for s in latest_by_key(batch, "station_id")
    ]  # fmt: skip
    await conn.execute(
        """INSERT INTO station_stats (station_id, region_id, registered_voters, ballots_issued, turnout_pct,
             turnout_rate_pp_per_hour, home_voting_applications, home_voting_pct, incidents_total,
             incidents_recent, last_report_at, open_alerts, protocol, reports_processed, silent, updated_at,
             figures, violation_monitors, checklist)
           SELECT station_id, region_id, registered_voters, ballots_issued, turnout_pct,
             turnout_rate_pp_per_hour, home_voting_applications, home_voting_pct, incidents_total,
             incidents_recent, last_report_at, open_alerts, protocol, reports_processed, silent, updated_at,
             figures, violation_monitors, checklist
           FROM json_populate_recordset(NULL::station_stats, $1::json)
           ORDER BY station_id
           ON CONFLICT (station_id) DO UPDATE SET
             region_id = EXCLUDED.region_id, registered_voters = EXCLUDED.registered_voters,
             ballots_issued = EXCLUDED.ballots_issued, turnout_pct = EXCLUDED.turnout_pct,
             turnout_rate_pp_per_hour = EXCLUDED.turnout_rate_pp_per_hour,
             home_voting_applications = EXCLUDED.home_voting_applications,
             home_voting_pct = EXCLUDED.home_voting_pct, incidents_total = EXCLUDED.incidents_total,
             incidents_recent = EXCLUDED.incidents_recent, last_report_at = EXCLUDED.last_report_at,
             open_alerts = EXCLUDED.open_alerts, protocol = EXCLUDED.protocol,
             reports_processed = EXCLUDED.reports_processed, silent = EXCLUDED.silent,
             updated_at = EXCLUDED.updated_at,
             figures = coalesce(EXCLUDED.figures, station_stats.figures),
             violation_monitors = EXCLUDED.violation_monitors, checklist = EXCLUDED.checklist
           WHERE station_stats.updated_at <= EXCLUDED.updated_at""",
        _json(rows),
    )


async def write_region_stats(conn: Conn, batch: Sequence[ev.RegionStats]) -> None:
    rows = [
        (
            s.region_id, s.stations_total, s.stations_reporting, s.stations_silent, s.registered_voters,
            s.ballots_issued, s.turnout_pct, s.turnout_rate_pp_per_hour, s.home_voting_pct,
            s.incidents_per_100_stations, _json(s.incidents_total), s.open_alerts, s.updated_at,
            s.registered_voters_reporting, s.home_voting_applications,
        )
        for s in sorted(latest_by_key(batch, "region_id"), key=lambda s: s.region_id)
    ]  # fmt: skip
    await conn.executemany(
        """INSERT INTO region_stats (region_id, stations_total, stations_reporting, stations_silent,
             registered_voters, ballots_issued, turnout_pct, turnout_rate_pp_per_hour, home_voting_pct,
             incidents_per_100_stations, incidents_total, open_alerts, updated_at,
             registered_voters_reporting, home_voting_applications)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15)
           ON CONFLICT (region_id) DO UPDATE SET
             stations_total = EXCLUDED.stations_total, stations_reporting = EXCLUDED.stations_reporting,
             stations_silent = EXCLUDED.stations_silent, registered_voters = EXCLUDED.registered_voters,
             ballots_issued = EXCLUDED.ballots_issued, turnout_pct = EXCLUDED.turnout_pct,
             turnout_rate_pp_per_hour = EXCLUDED.turnout_rate_pp_per_hour,
             home_voting_pct = EXCLUDED.home_voting_pct,
             incidents_per_100_stations = EXCLUDED.incidents_per_100_stations,
             incidents_total = EXCLUDED.incidents_total, open_alerts = EXCLUDED.open_alerts,
             updated_at = EXCLUDED.updated_at,
             registered_voters_reporting = EXCLUDED.registered_voters_reporting,
             home_voting_applications = EXCLUDED.home_voting_applications
           WHERE region_stats.updated_at <= EXCLUDED.updated_at""",
        rows,
    )


async def write_alerts(conn: Conn, batch: Sequence[ev.Alert]) -> None:
    """Upserts alert transitions: a higher version wins; the same version again (a replay after
    a crash) rewrites the row only if no one resolved it by hand meanwhile (`resolveAlert`),
    which it would otherwise reopen. A later transition (the condition changed) still does."""
    rows = [
        (
            a.id, a.rule, a.severity.value, a.state.value, a.station_id, a.region_id, a.value, a.threshold,
            a.message, list(a.report_ids), a.opened_at, a.updated_at, a.resolved_at, a.confidence, a.version,
            _json([{"key": t.key, "params": t.params} for t in a.texts]),
        )
        for a in sorted(latest_by_key(batch, "id"), key=lambda a: a.id)
    ]  # fmt: skip
    await conn.executemany(
        """INSERT INTO alerts (id, rule, severity, state, station_id, region_id, value, threshold, message,
             report_ids, opened_at, updated_at, resolved_at, confidence, version, texts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb)
           ON CONFLICT (id) DO UPDATE SET
             severity = EXCLUDED.severity, state = EXCLUDED.state, value = EXCLUDED.value,
             threshold = EXCLUDED.threshold, message = EXCLUDED.message, report_ids = EXCLUDED.report_ids,
             texts = EXCLUDED.texts,
             updated_at = EXCLUDED.updated_at, resolved_at = EXCLUDED.resolved_at,
             confidence = EXCLUDED.confidence, version = EXCLUDED.version
           WHERE alerts.version < EXCLUDED.version
              OR (alerts.version = EXCLUDED.version AND NOT EXISTS (
                    SELECT 1 FROM alert_actions a WHERE a.alert_id = alerts.id AND a.action = 'resolve'))""",
        rows,
    )
