"""Stations with their latest stats, by id and in keyset pages."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

import asyncpg

from services.api.pagination import Cursor
from services.api.repository.sql import Where

_COLUMNS = """s.id, s.region_id, s.district, s.name, s.registered_voters, s.latitude, s.longitude,
    ss.station_id AS stats_station_id, ss.ballots_issued, ss.turnout_pct, ss.turnout_rate_pp_per_hour,
    ss.home_voting_applications, ss.home_voting_pct, ss.incidents_total, ss.incidents_recent,
    ss.last_report_at, ss.open_alerts, ss.protocol, ss.reports_processed, ss.silent,
    ss.updated_at AS stats_updated_at"""


# The start of a report's bucket ($2 seconds) on the local clock of zone $3: binned in local wall
# time from local midnight, so 60-min buckets start on the local hour and 1440-min ones at local
# midnight, whatever the zone's offset (5:45, 12:00) or a DST change in between.
_LOCAL_BUCKET = """date_bin(make_interval(secs => $2), t.observed_at AT TIME ZONE $3,
                            timestamp '2000-01-01') AT TIME ZONE $3"""


class StationOrder(Enum):
    ID = "id"
    TURNOUT_DESC = "turnout_desc"
    OPEN_ALERTS_DESC = "open_alerts_desc"


class StationStatus(Enum):
    REPORTING = "reporting"
    SILENT = "silent"
    NO_DATA = "no_data"


# (sort expression, whether it sorts descending) per ordering; id breaks ties ascending.
_SORT = {
    StationOrder.ID: ("s.id", False),
    StationOrder.TURNOUT_DESC: ("coalesce(ss.turnout_pct, -1)", True),
    StationOrder.OPEN_ALERTS_DESC: ("coalesce(ss.open_alerts, -1)", True),
}


async def stations_by_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await pool.fetch(
        f"""SELECT {_COLUMNS} FROM stations s LEFT JOIN station_stats ss ON ss.station_id = s.id
            WHERE s.id = ANY($1::text[])""",
        list(ids),
    )


def sort_value(order: StationOrder, row: asyncpg.Record) -> str | float | int:
    if order is StationOrder.ID:
        return str(row["id"])
    column = "turnout_pct" if order is StationOrder.TURNOUT_DESC else "open_alerts"
    value = row[column]
    return -1 if value is None else value


async def page_stations(
    pool: asyncpg.Pool,
    *,
    region: str | None,
    regions: list[str] | None,
    status: StationStatus | None,
    has_open_alerts: bool | None,
    order: StationOrder,
    violation: str | None = None,
    checklist_no: str | None = None,
    after: Cursor | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` + 1 rows (the extra one says whether there is a next page); `regions`
    limits them to a key's regions. `violation` (a type's name) and `checklist_no`
    ("<phase>.<question>") keep the stations a findings cell counts (repository/findings.py)."""
    where = Where()
    if region is not None:
        where.add("s.region_id = {}", region)
    if regions is not None:
        where.add("s.region_id = ANY({}::text[])", regions)
    if status is StationStatus.SILENT:
        where.add("ss.silent")
    elif status is StationStatus.REPORTING:
        where.add("ss.last_report_at IS NOT NULL AND NOT ss.silent")
    elif status is StationStatus.NO_DATA:
        where.add("(ss.station_id IS NULL OR ss.last_report_at IS NULL)")
    if has_open_alerts is True:
        where.add("ss.open_alerts > 0")
    elif has_open_alerts is False:
        where.add("coalesce(ss.open_alerts, 0) = 0")
    if violation is not None:
        # Keys are type names; upper() also reads rows written with the codes, as the counts do.
        where.add(
            """EXISTS (SELECT 1 FROM jsonb_each_text(ss.incidents_total) AS v
                       WHERE upper(v.key) = {} AND v.value::int > 0)""",
            violation,
        )
    if checklist_no is not None:
        where.add("ss.reports_processed > 0 AND (ss.checklist->>{})::boolean IS FALSE", checklist_no)
    expr, descending = _SORT[order]
    if after is not None:
        if order is StationOrder.ID:
            where.add("s.id > {}", after.id)
        else:
            cast = "double precision" if order is StationOrder.TURNOUT_DESC else "integer"
            where.add(
                f"({expr} < {{}}::{cast} OR ({expr} = {{}}::{cast} AND s.id > {{}}))",
                after.value,
                after.value,
                after.id,
            )
    direction = "DESC" if descending else "ASC"
    sort = "s.id" if order is StationOrder.ID else f"{expr} {direction}, s.id"
    sql = f"""SELECT {_COLUMNS} FROM stations s LEFT JOIN station_stats ss ON ss.station_id = s.id
              {where.sql()} ORDER BY {sort} LIMIT {where.param(limit + 1)}"""
    return await pool.fetch(sql, *where.params)


async def monitors_by_station_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await pool.fetch(
        """SELECT ms.station_id, m.id, m.display_name, m.phone, m.revoked_at
           FROM monitor_stations ms JOIN monitors m ON m.id = ms.monitor_id
           WHERE ms.station_id = ANY($1::text[]) ORDER BY m.id""",
        list(ids),
    )


async def monitors_by_ids(pool: asyncpg.Pool, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT id, display_name, phone, revoked_at FROM monitors WHERE id = ANY($1::text[])", list(ids)
    )


async def station_series(
    pool: asyncpg.Pool, station_id: str, bucket_seconds: int, zone: str
) -> list[asyncpg.Record]:
    """The last cumulative count per time bucket of `zone`'s local clock, for one station."""
    return await pool.fetch(
        f"""SELECT {_LOCAL_BUCKET} AS bucket,
                  max(t.ballots_issued) AS ballots_issued, max(t.turnout_pct) AS turnout_pct
           FROM turnout_series t WHERE t.station_id = $1 GROUP BY 1 ORDER BY 1""",
        station_id,
        bucket_seconds,
        zone,
    )


async def region_series(
    pool: asyncpg.Pool, region_id: str, bucket_seconds: int, zone: str
) -> list[asyncpg.Record]:
    """Per station and bucket of `zone`'s local clock, the last cumulative count (the caller
    carries them forward)."""
    return await pool.fetch(
        f"""SELECT t.station_id, {_LOCAL_BUCKET} AS bucket, max(t.ballots_issued) AS ballots_issued
           FROM turnout_series t JOIN stations s ON s.id = t.station_id
           WHERE s.region_id = $1 GROUP BY 1, 2 ORDER BY 2""",
        region_id,
        bucket_seconds,
        zone,
    )


async def monitor_change_regions(pool: asyncpg.Pool, monitor_id: str, station_ids: Sequence[str]) -> set[str]:
    """The regions a change to a monitor touches: its roster region, its stations' and those of
    `station_ids` (where it is moved)."""
    rows = await pool.fetch(
        """SELECT region_id FROM monitors WHERE id = $1 AND region_id IS NOT NULL
           UNION SELECT st.region_id FROM monitor_stations ms JOIN stations st ON st.id = ms.station_id
                 WHERE ms.monitor_id = $1
           UNION SELECT region_id FROM stations WHERE id = ANY($2::text[])""",
        monitor_id,
        list(station_ids),
    )
    return {r["region_id"] for r in rows}
