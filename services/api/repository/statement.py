"""The figures of the preliminary statement, as of an event time, from the stored reports: every
figure computed from what monitors sent by then (a report observed later does not count)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import orjson


@dataclass(frozen=True, slots=True)
class ForensicsSummary:
    """The national forensics figures the aggregator computed last by the statement's time."""

    computed_at: datetime
    stations: int
    tested: int
    observed: int  # integer stations (turnout or leader share), and by chance:
    expected: float
    z: float
    threshold_z: float
    min_stations: int
    flagged: tuple[str, ...]  # regions at z >= threshold_z with >= min_stations tested
    too_few: tuple[str, ...]  # regions at z >= threshold_z on fewer protocols: never flagged


@dataclass(slots=True)
class StatementCounts:
    # region -> (stations, observed)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    # violation code -> (stations, regions)
    violations: dict[str, tuple[int, int]] = field(default_factory=dict)
    # opening question -> (stations answering, answering no), latest opening checklist per station
    opening: dict[str, tuple[int, int]] = field(default_factory=dict)
    # stations with a turnout report, their latest ballots issued summed, their registered voters
    turnout: tuple[int, int, int] = (0, 0, 0)
    registered: int = 0
    # rule -> alerts a coordinator acknowledged or resolved by then
    confirmed: dict[str, int] = field(default_factory=dict)
    # region -> turnout as above, per region (the national figure is their sum)
    turnout_by_region: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    forensics: ForensicsSummary | None = None


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def forensics_summary(row: asyncpg.Record) -> ForensicsSummary:
    summary = _json(row["summary"])
    either = summary["integer"]["either"]
    regions = summary.get("regions", [])
    return ForensicsSummary(
        computed_at=row["computed_at"],
        stations=int(row["stations"]),
        tested=int(summary["tested"]),
        observed=int(either["observed"]),
        expected=float(either["expected"]),
        z=float(either["z"]),
        threshold_z=float(summary["threshold_z"]),
        min_stations=int(summary["min_stations"]),
        flagged=tuple(sorted(r["region"] for r in regions if r["screen"] == "flagged")),
        too_few=tuple(sorted(r["region"] for r in regions if r["screen"] == "too_few_tested")),
    )


async def statement_counts(conn: asyncpg.Connection, as_of: datetime) -> StatementCounts:
    out = StatementCounts()
    rows = await conn.fetch(
        # Observed: a report by then, or an assigned monitor's check-in by then.
        """SELECT s.region_id, count(*) AS stations, count(o.station_id) AS observed
           FROM stations s LEFT JOIN (
               SELECT station_id FROM reports WHERE observed_at <= $1
               UNION
               SELECT ms.station_id FROM monitor_checkins c
                 JOIN monitor_stations ms ON ms.monitor_id = c.monitor_id
                 JOIN monitors m ON m.id = c.monitor_id
               WHERE c.at <= $1 AND m.revoked_at IS NULL) o
             ON o.station_id = s.id
           GROUP BY 1 ORDER BY 1""",
        as_of,
    )
    out.coverage = {r["region_id"]: (r["stations"], r["observed"]) for r in rows}
    out.registered = await conn.fetchval("SELECT coalesce(sum(registered_voters), 0)::bigint FROM stations")
    rows = await conn.fetch(
        """SELECT r.body->>'violation' AS violation, count(DISTINCT r.station_id) AS stations,
                  count(DISTINCT s.region_id) AS regions
           FROM reports r JOIN stations s ON s.id = r.station_id
           WHERE r.kind = 'incident' AND r.observed_at <= $1 GROUP BY 1""",
        as_of,
    )
    out.violations = {r["violation"]: (r["stations"], r["regions"]) for r in rows}
    rows = await conn.fetch(
        """WITH latest AS (
             SELECT DISTINCT ON (station_id) station_id, body FROM reports
             WHERE kind = 'checklist' AND body->>'phase' = 'opening' AND observed_at <= $1
             ORDER BY station_id, observed_at DESC, id DESC)
           SELECT a.key, count(*) AS answered, count(*) FILTER (WHERE NOT a.value::boolean) AS no
           FROM latest, jsonb_each_text(latest.body->'answers') AS a GROUP BY 1""",
        as_of,
    )
    out.opening = {r["key"]: (r["answered"], r["no"]) for r in rows}
    rows = await conn.fetch(
        """WITH latest AS (
             SELECT DISTINCT ON (station_id) station_id, (body->>'ballots_issued')::bigint AS ballots
             FROM reports WHERE kind = 'turnout' AND observed_at <= $1
             ORDER BY station_id, observed_at DESC, (body->>'ballots_issued')::bigint DESC)
           SELECT s.region_id, count(*) AS n, coalesce(sum(l.ballots), 0)::bigint AS ballots,
                  coalesce(sum(s.registered_voters), 0)::bigint AS registered
           FROM latest l JOIN stations s ON s.id = l.station_id GROUP BY 1 ORDER BY 1""",
        as_of,
    )
    out.turnout_by_region = {r["region_id"]: (r["n"], r["ballots"], r["registered"]) for r in rows}
    out.turnout = (
        sum(n for n, _, _ in out.turnout_by_region.values()),
        sum(b for _, b, _ in out.turnout_by_region.values()),
        sum(r for _, _, r in out.turnout_by_region.values()),
    )
    rows = await conn.fetch(
        """SELECT a.rule, count(DISTINCT a.id) AS n FROM alerts a
           WHERE EXISTS (SELECT 1 FROM alert_actions x WHERE x.alert_id = a.id AND x.at <= $1)
           GROUP BY 1""",
        as_of,
    )
    out.confirmed = {r["rule"]: r["n"] for r in rows}
    row = await conn.fetchrow(
        "SELECT computed_at, stations, summary FROM forensics WHERE region_id = '' AND computed_at <= $1",
        as_of,
    )
    out.forensics = None if row is None else forensics_summary(row)
    return out
