"""Issuing credentials for printing: which monitors get a card, their new tokens, their cards."""

from __future__ import annotations

from collections.abc import Sequence

from services.common.infra.db import Conn
from services.common.monitors.changes import issue_tokens
from services.common.monitors.sheet import Card
from services.common.monitors.tokens import login_link

# A monitor's region: the one the roster gave, else the region of its first station.
REGION_OF = """coalesce(m.region_id, (SELECT st.region_id FROM monitor_stations ms
                 JOIN stations st ON st.id = ms.station_id
                 WHERE ms.monitor_id = m.id ORDER BY ms.station_id LIMIT 1))"""


async def issue_cards(
    conn: Conn,
    ingest_url: str,
    actor: str,
    regions: Sequence[str] = (),
    monitor_ids: Sequence[str] = (),
    reissue: bool = False,
) -> dict[str, list[Card]]:
    """Cards by region id (`-` for none) for the active monitors of `regions` and `monitor_ids` (every active
    monitor when both are empty). Without `reissue`, only monitors never given a token; with it,
    every one selected gets a new token and its old one stops working."""
    rows = await conn.fetch(
        f"""SELECT m.id, m.display_name, m.phone, m.lang, m.coordinator,
                   r.id AS region_id, r.name AS region_name,
                   coalesce((SELECT array_agg(ms.station_id ORDER BY ms.station_id)
                             FROM monitor_stations ms WHERE ms.monitor_id = m.id), '{{}}') AS stations
            FROM monitors m LEFT JOIN regions r ON r.id = {REGION_OF}
            WHERE m.revoked_at IS NULL
              AND (($1::text[] = '{{}}' AND $2::text[] = '{{}}')
                   OR {REGION_OF} = ANY($1::text[]) OR m.id = ANY($2::text[]))
              AND ($3 OR m.token_hash IS NULL)
            ORDER BY r.name, m.display_name, m.id""",
        list(regions),
        list(monitor_ids),
        reissue,
    )
    tokens = await issue_tokens(conn, [r["id"] for r in rows], actor)
    sheets: dict[str, list[Card]] = {}
    for r in rows:
        if r["id"] not in tokens:
            continue  # revoked meanwhile
        sheets.setdefault(r["region_id"] or "-", []).append(
            Card(
                r["id"],
                r["display_name"],
                r["phone"],
                tuple(r["stations"]),
                r["lang"],
                r["region_name"] or "-",
                r["coordinator"],
                login_link(ingest_url, tokens[r["id"]]),
            )
        )
    return sheets
