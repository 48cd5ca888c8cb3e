"""API benchmark: one heavy partner key against another client's `overview`.

A public client asks `overview` every 50 ms, first alone (the baseline), then while a partner
key runs CONCURRENCY copies of a heavy query in a loop, without pause and ignoring every
refusal. Two attacks: the one that slowed everyone down (15 aliases x `stations(first: 200)`
with incidents and region), and the heaviest single query the partner role may run (just
under its cost limit), which only the per-key cost budget holds back. The figure is the
victim's p50/p99 under attack over its p50/p99 alone in the same run; the attacker's outcomes
(answered, refused for cost, refused for budget or rate) say which limit did the work.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from graphql import parse

from bench.support import api_process, fresh_settings, load_stations
from services.api.auth import generate_key, hash_secret
from services.api.query_cost import operation_cost
from services.api.repository import keys as key_sql
from services.api.schema import build_schema
from services.common.infra.settings import SharedSettings

STATIONS = int(os.environ.get("PW_BENCH_NEIGHBOUR_STATIONS", "5000"))
SECONDS = float(os.environ.get("PW_BENCH_NEIGHBOUR_SECONDS", "10"))
CONCURRENCY = 10
_NODE = "id name stats { turnoutPct } incidents { violation observedAt } region { id name }"
REPORTED = "{ " + " ".join(f"a{i}: stations(first: 200) {{ nodes {{ {_NODE} }} }}" for i in range(15)) + " }"
# The heaviest page of stations a partner may ask for in one query (under the default limit).
ALLOWED = "{ stations(first: 200) { nodes { id name stats { turnoutPct } incidents { violation } } } }"
OVERVIEW = "{ overview { national { turnoutPct stationsReporting } openAlerts { total } } }"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _seed(shared: SharedSettings) -> tuple[str, str]:
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    now = datetime.now(UTC)
    try:
        await load_stations(conn, STATIONS)
        await conn.execute(
            """INSERT INTO region_stats (region_id, stations_total, stations_reporting, stations_silent,
                   registered_voters, ballots_issued, turnout_pct, turnout_rate_pp_per_hour, home_voting_pct,
                   incidents_per_100_stations, incidents_total, open_alerts, updated_at)
               VALUES ('', $1, $1, 0, $2, $3, 45.0, 1.0, 0, 3, '{}', 0, $4)""",
            STATIONS,
            STATIONS * 1000,
            STATIONS * 450,
            now,
        )
        await conn.execute("INSERT INTO monitors (id, display_name, token_hash) VALUES ('M1', 'm', 'h')")
        await conn.copy_records_to_table(
            "reports",
            records=[
                (
                    f"r{i}-{n}",
                    f"S{i:06}",
                    "M1",
                    "http",
                    "incident",
                    now,
                    now,
                    '{"violation": "ballot_stuffing"}',
                )
                for i in range(STATIONS)
                for n in range(3)
            ],
            columns=[
                "id",
                "station_id",
                "monitor_id",
                "channel",
                "kind",
                "observed_at",
                "received_at",
                "body",
            ],
        )
        await conn.execute("ANALYZE")
        tokens = []
        for role in ("partner", "public"):
            new = generate_key()
            await key_sql.insert_key(conn, new.id, hash_secret(new.secret), role, f"bench-{role}", False)
            tokens.append(new.token)
        return tokens[0], tokens[1]
    finally:
        await conn.close()


async def _victim(client: httpx.AsyncClient, until: float) -> list[float]:
    latencies = []
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": OVERVIEW})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.json()["data"]["overview"]["national"] is not None, response.text
        await asyncio.sleep(0.05)
    return latencies


async def _attacker(client: httpx.AsyncClient, query: str, until: float, outcomes: Counter[str]) -> None:
    while time.monotonic() < until:
        response = await client.post("/graphql", json={"query": query})
        if response.status_code != 200:
            outcomes[f"http_{response.status_code}"] += 1
            continue
        errors = response.json().get("errors") or []
        outcomes[errors[0].get("extensions", {}).get("code", "error") if errors else "answered"] += 1


async def _phase(url: str, victim_key: str, attacker_key: str, query: str | None) -> dict[str, Any]:
    until = time.monotonic() + SECONDS
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=CONCURRENCY + 2)
    async with (
        httpx.AsyncClient(base_url=url, headers={"X-API-Key": victim_key}, timeout=120) as victim,
        httpx.AsyncClient(
            base_url=url, headers={"X-API-Key": attacker_key}, timeout=120, limits=limits
        ) as bad,
    ):
        copies = [] if query is None else [query] * CONCURRENCY
        attack = [asyncio.create_task(_attacker(bad, q, until, outcomes)) for q in copies]
        latencies = await _victim(victim, until)
        await asyncio.gather(*attack)
    return {"p50_ms": _pct(latencies, 0.5), "p99_ms": _pct(latencies, 0.99), "attacker": dict(outcomes)}


def run() -> dict[str, object]:
    from tests.support.processes import free_port

    shared = fresh_settings()
    attacker_key, victim_key = asyncio.run(_seed(shared))
    schema = build_schema()._schema
    port = free_port()
    figures: dict[str, Any] = {
        "load_at_start": "/".join(f"{x:.2f}" for x in os.getloadavg()),
        "reported_query_cost": operation_cost(schema, parse(REPORTED), None, None, 50, 200),
        "allowed_query_cost": operation_cost(schema, parse(ALLOWED), None, None, 50, 200),
    }
    with api_process(shared, port):
        url = f"http://127.0.0.1:{port}"
        alone = asyncio.run(_phase(url, victim_key, attacker_key, None))
        reported = asyncio.run(_phase(url, victim_key, attacker_key, REPORTED))
        allowed = asyncio.run(_phase(url, victim_key, attacker_key, ALLOWED))
    figures |= {"overview_alone_p50_ms": alone["p50_ms"], "overview_alone_p99_ms": alone["p99_ms"]}
    for name, phase in (("reported", reported), ("allowed", allowed)):
        figures |= {
            f"overview_under_{name}_p50_ms": phase["p50_ms"],
            f"overview_under_{name}_p99_ms": phase["p99_ms"],
            f"overview_under_{name}_p99_ratio": phase["p99_ms"] / max(alone["p99_ms"], 1e-9),
            f"attacker_{name}_outcomes": phase["attacker"],
        }
    figures["stations"] = STATIONS
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
