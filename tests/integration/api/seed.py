"""Rows the API reads, inserted directly (the aggregator need not run)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
MONITOR_NAME = "Aigerim Bekova"
MONITOR_PHONE = "+77010000001"
INCIDENT_TEXT = "the chair refused to show the ballot box seal"


async def seed(db: asyncpg.Connection) -> None:
    await db.executemany(
        "INSERT INTO regions (id, name, kind) VALUES ($1, $2, $3)",
        [("R1", "Almaty region", "region"), ("R2", "Astana", "city")],
    )
    await db.executemany(
        "INSERT INTO stations (id, region_id, district, name, registered_voters) VALUES ($1, $2, $3, $4, $5)",
        [
            ("S1", "R1", "D1", "School 1", 1000),
            ("S2", "R1", "D1", "School 2", 2000),
            ("S3", "R1", "D2", "School 3", 500),
            ("S4", "R2", "D9", "Library", 1500),
        ],
    )
    stats = [
        # station, region, voters, ballots, turnout, open alerts, silent, last report
        ("S1", "R1", 1000, 300, 30.0, 1, False, T0 + timedelta(hours=2)),
        ("S2", "R1", 2000, 200, 10.0, 0, True, T0 + timedelta(hours=1)),
        ("S4", "R2", 1500, 750, 50.0, 0, False, T0 + timedelta(hours=2)),
    ]
    await db.executemany(
        """INSERT INTO station_stats (station_id, region_id, registered_voters, ballots_issued, turnout_pct,
               turnout_rate_pp_per_hour, home_voting_applications, home_voting_pct, incidents_total,
               incidents_recent, last_report_at, open_alerts, reports_processed, silent, updated_at)
           VALUES ($1, $2, $3, $4, $5, 1.5, 0, 0, '{"ballot_stuffing": 1}', '{}', $8, $6, 3, $7, $8)""",
        stats,
    )
    await db.executemany(
        """INSERT INTO region_stats (region_id, stations_total, stations_reporting, stations_silent,
               registered_voters, ballots_issued, turnout_pct, turnout_rate_pp_per_hour, home_voting_pct,
               incidents_per_100_stations, incidents_total, open_alerts, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 1.0, 0, 10, '{}', $8, $9)""",
        [
            ("R1", 3, 1, 1, 3500, 500, 14.29, 1, T0 + timedelta(hours=2)),
            ("R2", 1, 1, 0, 1500, 750, 50.0, 0, T0 + timedelta(hours=2)),
            ("", 4, 2, 1, 5000, 1250, 25.0, 1, T0 + timedelta(hours=2)),
        ],
    )
    await db.execute(
        "INSERT INTO monitors (id, display_name, phone, token_hash) VALUES ('M1', $1, $2, 'h1')",
        MONITOR_NAME,
        MONITOR_PHONE,
    )
    await db.execute("INSERT INTO monitor_stations (monitor_id, station_id) VALUES ('M1', 'S1')")
    reports = [
        ("r1", "S1", "turnout", T0 + timedelta(hours=1), {"ballots_issued": 150}),
        (
            "r2",
            "S1",
            "incident",
            T0 + timedelta(hours=2),
            {"violation": "ballot_stuffing", "description": INCIDENT_TEXT},
        ),
        ("r3", "S1", "turnout", T0 + timedelta(hours=2), {"ballots_issued": 300}),
        ("r4", "S4", "turnout", T0 + timedelta(hours=2), {"ballots_issued": 750}),
    ]
    await db.executemany(
        """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body)
           VALUES ($1, $2, 'M1', 'http', $3, $4, $4, $5::jsonb)""",
        [(i, s, k, at, json.dumps(body)) for i, s, k, at, body in reports],
    )
    await db.executemany(
        """INSERT INTO turnout_series (station_id, observed_at, ballots_issued, turnout_pct)
           VALUES ($1, $2, $3, $4)""",
        [
            ("S1", T0 + timedelta(hours=1), 150, 15.0),
            ("S1", T0 + timedelta(hours=2), 300, 30.0),
            ("S2", T0 + timedelta(minutes=70), 200, 10.0),
            ("S4", T0 + timedelta(hours=2), 750, 50.0),
        ],
    )
    await db.executemany(
        """INSERT INTO alerts (id, rule, severity, state, station_id, region_id, value, threshold, message,
               report_ids, opened_at, updated_at, resolved_at)
           VALUES ($1, $2, $3, $4, $5, $6, 5, 3, 'turnout rose fast', $7, $8, $8, $9)""",
        [
            ("A1", "turnout_spike", "warning", "open", "S1", "R1", ["r3"], T0 + timedelta(hours=2), None),
            ("A2", "silent_station", "critical", "open", "S2", "R1", [], T0 + timedelta(hours=3), None),
            (
                "A3",
                "turnout_spike",
                "info",
                "resolved",
                "S4",
                "R2",
                [],
                T0 + timedelta(hours=1),
                T0 + timedelta(hours=1),
            ),
        ],
    )
