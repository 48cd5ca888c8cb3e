"""What the monitor app reads about its own monitor: stations, language, the station's figures, the
monitor's reports in the read model and the coordinators' messages to it. Parametrised queries
only; never another monitor's data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import asyncpg
import orjson

# The language the monitor's SMS replies go in (migration 0016_monitor_language); NULL: the app
# starts in the phone's language.
_LANGUAGE = "SELECT lang FROM monitors WHERE id = $1"
_STATIONS = """
SELECT s.id, s.name, s.district, s.region_id, r.name AS region_name, s.registered_voters
FROM stations s JOIN regions r ON r.id = s.region_id
WHERE s.id = ANY($1::text[]) ORDER BY s.id
"""
_FIGURES = """
SELECT ballots_issued, turnout_pct, home_voting_applications, home_voting_pct, incidents_total,
       last_report_at, open_alerts, protocol, reports_processed, updated_at
FROM station_stats WHERE station_id = $1
"""
_REPORTS = """
SELECT id, kind, observed_at, received_at FROM reports
WHERE station_id = $1 AND monitor_id = $2
ORDER BY observed_at DESC, id LIMIT $3
"""

# Messages (not check-ins, whose answer is an SMS, nor login links) the messenger addressed to the
# monitor, whatever became of the SMS: the app is the way to read one that never arrived. The text
# is the translation in the monitor's language (else the one its SMS went in), else the original.
_MESSAGES = """
SELECT b.id, b.requested_at AS sent_at, coalesce(m.lang, d.language) AS language,
       coalesce(nullif(b.translations ->> coalesce(m.lang, d.language), ''), b.text) AS text
FROM message_deliveries d
JOIN broadcasts b ON b.id = d.broadcast_id
JOIN monitors m ON m.id = d.monitor_id
WHERE d.monitor_id = $1 AND b.kind = 'message'
ORDER BY b.requested_at DESC, b.id LIMIT $2
"""


async def monitor_language(pool: asyncpg.Pool, monitor_id: str) -> str | None:
    language: str | None = await pool.fetchval(_LANGUAGE, monitor_id)
    return language


async def stations(pool: asyncpg.Pool, ids: Iterable[str]) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch(_STATIONS, sorted(ids))]


async def station_figures(pool: asyncpg.Pool, station_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(_FIGURES, station_id)
    if row is None:
        return None
    figures = dict(row)
    for column in ("incidents_total", "protocol"):
        if isinstance(figures[column], str):  # jsonb arrives as text without a codec
            figures[column] = orjson.loads(figures[column])
    return figures


async def monitor_reports(
    pool: asyncpg.Pool, station_id: str, monitor_id: str, limit: int
) -> list[dict[str, Any]]:
    """The monitor's newest reports for the station as the read model holds them (counted)."""
    return [dict(r) for r in await pool.fetch(_REPORTS, station_id, monitor_id, limit)]


async def monitor_messages(pool: asyncpg.Pool, monitor_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` messages to the monitor, newest first, each in the monitor's language."""
    return [dict(r) for r in await pool.fetch(_MESSAGES, monitor_id, limit)]
