"""A broadcast's recipients, resolved in PostgreSQL and recorded as queued deliveries, once.

Recording is idempotent: the broadcast's row and one delivery per (broadcast, monitor) are
inserted in one transaction, and a broadcast already recorded (a redelivered Kafka message) is
left as it is: its recipients are those resolved the first time.
"""

from __future__ import annotations

import orjson

from services.common.contracts import events as ev
from services.common.infra.db import Conn

# A monitor's regions: the roster's region, else those of its stations.
_IN_REGIONS = """(m.region_id = ANY({0}::text[]) OR (m.region_id IS NULL AND EXISTS (
    SELECT 1 FROM monitor_stations ms JOIN stations st ON st.id = ms.station_id
    WHERE ms.monitor_id = m.id AND st.region_id = ANY({0}::text[]))))"""

_RECIPIENTS = f"""
INSERT INTO message_deliveries (broadcast_id, monitor_id, language)
SELECT $1, m.id, coalesce(m.lang, $10) FROM monitors m
WHERE m.revoked_at IS NULL AND m.phone IS NOT NULL
  AND ($2
       OR {_IN_REGIONS.format("$3")}
       OR EXISTS (SELECT 1 FROM monitor_stations ms
                  WHERE ms.monitor_id = m.id AND ms.station_id = ANY($4::text[]))
       OR m.id = ANY($5::text[])
       OR ($6 AND EXISTS (SELECT 1 FROM monitor_stations ms JOIN alerts a ON a.station_id = ms.station_id
                          WHERE ms.monitor_id = m.id AND a.state = 'open'))
       OR ($7 AND EXISTS (SELECT 1 FROM monitor_stations ms
                          JOIN station_stats ss ON ss.station_id = ms.station_id
                          WHERE ms.monitor_id = m.id AND ss.silent)))
  AND (cardinality($8::text[]) = 0 OR {_IN_REGIONS.format("$8")})
  AND (NOT $9 OR m.token_hash IS NULL)
ON CONFLICT DO NOTHING"""


def _audience_json(a: ev.Audience) -> str:
    return orjson.dumps(
        {
            "everyone": a.everyone,
            "regions": list(a.region_ids),
            "stations": list(a.station_ids),
            "monitors": list(a.monitor_ids),
            "open_alert_stations": a.open_alert_stations,
            "silent_stations": a.silent_stations,
            "within_regions": list(a.within_regions),
            "without_token": a.without_token,
        }
    ).decode()


async def record_broadcast(conn: Conn, b: ev.Broadcast, default_lang: str = "en") -> int | None:
    """Records the broadcast and queues a delivery per recipient, in the monitor's language
    (`default_lang` for those without one); returns how many, or None when it was recorded
    before (nothing changes then). Monitors without a phone get none."""
    a = b.audience
    async with conn.transaction():
        inserted = await conn.fetchval(
            """INSERT INTO broadcasts (id, kind, audience, text, translations, requested_by,
                                       requested_at, recipients)
               VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7, 0)
               ON CONFLICT (id) DO NOTHING RETURNING id""",
            b.id,
            b.kind.value,
            _audience_json(a),
            b.text,
            orjson.dumps(dict(b.translations)).decode(),
            b.requested_by,
            b.requested_at,
        )
        if inserted is None:
            return None
        status = await conn.execute(
            _RECIPIENTS,
            b.id,
            a.everyone,
            list(a.region_ids),
            list(a.station_ids),
            list(a.monitor_ids),
            a.open_alert_stations,
            a.silent_stations,
            list(a.within_regions),
            a.without_token,
            default_lang,
        )
        count = int(status.rsplit(" ", 1)[1])
        await conn.execute("UPDATE broadcasts SET recipients = $2 WHERE id = $1", b.id, count)
    return count
