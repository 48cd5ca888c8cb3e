"""The station-level counts behind the findings, per region: stations in the registry, stations
observed (their monitor reported anything, or an assigned monitor checked in there), stations
reporting each violation type (and by two monitors or more), and stations answering each
checklist question, and answering no."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg


@dataclass(slots=True)
class RegionCounts:
    stations: int = 0
    observed: int = 0
    # violation type name (as in incidents_total) -> (stations reporting it, by >= 2 monitors)
    violations: dict[str, tuple[int, int]] = field(default_factory=dict)
    # "<phase>.<question>" -> (stations answering it, answering no)
    checklist: dict[str, tuple[int, int]] = field(default_factory=dict)


_SCOPE = "($1::text[] IS NULL OR region_id = ANY($1::text[]))"
# An assigned, active monitor replied OK at the station (services/ingest/checkin.py).
CHECKED_IN = """EXISTS (SELECT 1 FROM monitor_stations ms JOIN monitors m ON m.id = ms.monitor_id
                  JOIN monitor_checkins c ON c.monitor_id = ms.monitor_id
                  WHERE ms.station_id = s.id AND m.revoked_at IS NULL)"""


async def region_counts(pool: asyncpg.Pool, regions: list[str] | None) -> dict[str, RegionCounts]:
    """Counts per region id, for `regions` (None: every region); each one a grouped pass."""
    out: dict[str, RegionCounts] = {}

    def of(region: str) -> RegionCounts:
        return out.setdefault(region, RegionCounts())

    async with pool.acquire() as conn:
        for r in await conn.fetch(
            f"SELECT region_id, count(*) AS n FROM stations WHERE {_SCOPE} GROUP BY 1", regions
        ):
            of(r["region_id"]).stations = r["n"]
        for r in await conn.fetch(
            f"""SELECT s.region_id, count(*) AS n
                FROM stations s LEFT JOIN station_stats st ON st.station_id = s.id
                WHERE (coalesce(st.reports_processed, 0) > 0 OR {CHECKED_IN})
                  AND ($1::text[] IS NULL OR s.region_id = ANY($1::text[])) GROUP BY 1""",
            regions,
        ):
            of(r["region_id"]).observed = r["n"]
        for r in await conn.fetch(
            # Keys are violation type names; upper() also reads rows written with the codes.
            f"""SELECT region_id, upper(v.key) AS key, count(*) AS stations,
                       count(*) FILTER (WHERE coalesce((violation_monitors->>v.key)::int, 0) >= 2)
                         AS corroborated
                FROM station_stats, jsonb_each_text(incidents_total) AS v
                WHERE v.value::int > 0 AND {_SCOPE} GROUP BY 1, 2""",
            regions,
        ):
            of(r["region_id"]).violations[r["key"]] = (r["stations"], r["corroborated"])
        for r in await conn.fetch(
            f"""SELECT region_id, c.key, count(*) AS answered,
                       count(*) FILTER (WHERE NOT c.value::boolean) AS no
                FROM station_stats, jsonb_each_text(checklist) AS c
                WHERE reports_processed > 0 AND {_SCOPE} GROUP BY 1, 2""",
            regions,
        ):
            of(r["region_id"]).checklist[r["key"]] = (r["answered"], r["no"])
    return out
