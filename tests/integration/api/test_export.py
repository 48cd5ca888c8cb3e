"""Exports on real PostgreSQL through the API's download and `pollwatch export`: the columns per
role, the rows per scope and verification, refusals naming the parameter, and a streamed body."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx

from services.common.settings import SharedSettings
from tests.integration.api.conftest import Api
from tests.integration.api.seed import T0
from tests.integration.api.test_audit_log import command

INCIDENT = ["id", "station_id", "region_id", "observed_at", "violation"]
IDENTITY = ["monitor_id", "monitor_name", "monitor_phone"]


async def download(api: Api, key: str | None, path: str, **params: str) -> httpx.Response:
    headers = {} if key is None else {"X-API-Key": key}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{api.url}/export/{path}", headers=headers, params=params)


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_each_role_exports_exactly_the_columns_graphql_lets_it_read(
    api: Api, keys: dict[str, str]
) -> None:
    async def header(key: str, dataset: str) -> list[str]:
        answer = await download(api, keys[key], f"{dataset}.csv")
        assert answer.status_code == 200, answer.text
        return table(answer.text)[0]

    assert await header("partner", "incidents") == [*INCIDENT, "verification"]
    assert await header("partner_texts", "incidents") == [*INCIDENT, "description", "verification"]
    assert await header("analyst", "incidents") == [*INCIDENT, "description", "verification", "monitor_id"]
    assert await header("coordinator", "incidents") == [*INCIDENT, "description", "verification", *IDENTITY]
    assert (await header("analyst", "reports"))[-2:] == ["verification", "monitor_id"]
    assert (await header("admin", "reports"))[-3:] == IDENTITY
    refused = await download(api, keys["partner"], "reports.csv")
    assert (refused.status_code, refused.json()["error"]["message"]) == (
        403,
        "reports requires the analyst role (this key is partner)",
    )
    assert (await download(api, keys["coordinator"], "audit.csv")).status_code == 403
    rows = table((await download(api, keys["coordinator"], "incidents.csv")).text)
    assert rows[1][0] == "r2"
    assert rows[1][-2:] == ["Aigerim Bekova", "+77010000001"]


async def test_rows_follow_the_keys_regions_verification_and_filters(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE alerts SET verification = 'rejected' WHERE id = 'A1'")
    await db.execute("UPDATE alerts SET verification = 'verified' WHERE id = 'A3'")

    async def ids(key: str, dataset: str, **params: str) -> list[str]:
        answer = await download(api, keys[key], f"{dataset}.csv", **params)
        assert answer.status_code == 200, answer.text
        return [row[0] for row in table(answer.text)[1:]]

    assert await ids("partner", "alerts") == ["A3", "A2"]  # by opening time; the rejected A1 held back
    assert await ids("analyst", "alerts") == ["A3", "A1", "A2"]
    assert await ids("analyst", "alerts", verified_only="true") == ["A3"]
    assert await ids("partner_r1", "alerts") == ["A2"]
    assert await ids("admin", "alerts", region="R1", since=(T0 + timedelta(hours=2)).isoformat()) == [
        "A1",
        "A2",
    ]
    assert await ids("admin", "reports", until=(T0 + timedelta(hours=2)).isoformat()) == ["r1"]
    assert await ids("partner_r1", "stations") == ["S1", "S2", "S3"]
    outside = await download(api, keys["partner_r1"], "alerts.csv", region="R2")
    assert (outside.status_code, outside.json()["error"]["parameter"]) == (403, "region")
    bad = await download(api, keys["admin"], "alerts.csv", since="yesterday")
    assert (bad.status_code, bad.json()["error"]["parameter"]) == (400, "since")
    assert (await download(api, keys["admin"], "ballots.csv")).status_code == 404
    assert (await download(api, None, "alerts.csv")).status_code == 401


async def test_a_large_export_streams_in_chunks_and_the_command_line_writes_the_same(
    api: Api, keys: dict[str, str], db: asyncpg.Connection, shared_settings: SharedSettings, tmp_path: Path
) -> None:
    await db.execute(
        """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body)
           SELECT 'bulk-' || lpad(n::text, 5, '0'), 'S3', 'M1', 'http', 'turnout',
                  $1::timestamptz + n * interval '1 second', $1::timestamptz, '{"ballots_issued": 1}'
           FROM generate_series(1, 5000) n""",
        T0 + timedelta(hours=5),
    )
    chunks = 0
    body = b""
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("GET", f"{api.url}/export/reports.csv", headers={"X-API-Key": keys["admin"]}) as answer,
    ):
        assert answer.status_code == 200
        assert "content-length" not in answer.headers  # streamed, not assembled first
        async for chunk in answer.aiter_raw():
            chunks += 1
            body += chunk
    rows = table(body.decode())
    assert len(rows) == 1 + 4 + 5000
    assert chunks >= 3  # 5,004 rows leave in chunks of 2,000
    out = tmp_path / "reports.csv"
    done = await command(shared_settings, "export", "reports", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_bytes() == body
