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
    after: Cursor | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` + 1 rows (the extra one says whether there is a next page); `regions`
    limits them to a key's regions."""
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


async def station_series(pool: asyncpg.Pool, station_id: str, bucket_seconds: int) -> list[asyncpg.Record]:
    """The last cumulative count per time bucket for one station."""
    return await pool.fetch(
        """SELECT date_bin(make_interval(secs => $2), observed_at, timestamptz '2000-01-01') AS bucket,
                  max(ballots_issued) AS ballots_issued, max(turnout_pct) AS turnout_pct
           FROM turnout_series WHERE station_id = $1 GROUP BY 1 ORDER BY 1""",
        station_id,
        bucket_seconds,
    )


async def region_series(pool: asyncpg.Pool, region_id: str, bucket_seconds: int) -> list[asyncpg.Record]:
    """Per station and bucket, the last cumulative count (the caller carries them forward)."""
    return await pool.fetch(
        """SELECT t.station_id,
                  date_bin(make_interval(secs => $2), t.observed_at, timestamptz '2000-01-01') AS bucket,
                  max(t.ballots_issued) AS ballots_issued
           FROM turnout_series t JOIN stations s ON s.id = t.station_id
           WHERE s.region_id = $1 GROUP BY 1, 2 ORDER BY 2""",
        region_id,
        bucket_seconds,
    )
