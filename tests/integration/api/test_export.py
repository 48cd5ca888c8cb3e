"""Exports on real PostgreSQL through the API's download and `pollwatch export`: the columns per
role, the rows per scope and verification, refusals naming the parameter, and a streamed body."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import openpyxl
import orjson
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq

from services.api.export import DATASETS
from services.common.infra.settings import SharedSettings
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


def parquet_rows(data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    parsed = pq.read_table(pa.BufferReader(data))
    return parsed.column_names, parsed.to_pylist()


def xlsx_rows(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


async def test_parquet_and_xlsx_hold_what_the_csv_holds_typed_with_the_roles_columns(
    api: Api, keys: dict[str, str]
) -> None:
    csv_rows = table((await download(api, keys["coordinator"], "incidents.csv")).text)
    answer = await download(api, keys["coordinator"], "incidents.parquet")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/vnd.apache.parquet"
    names, rows = parquet_rows(answer.content)
    assert names == csv_rows[0]
    assert [r["id"] for r in rows] == [r[0] for r in csv_rows[1:]]
    assert rows[0]["observed_at"] == T0 + timedelta(hours=2)  # a UTC timestamp, not text
    assert rows[0]["monitor_phone"] == "+77010000001"
    names, _ = parquet_rows((await download(api, keys["partner"], "incidents.parquet")).content)
    assert names == [*INCIDENT, "verification"]  # a partner's columns, as in CSV

    answer = await download(api, keys["coordinator"], "incidents.xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="pollwatch-incidents.xlsx"'
    sheets = xlsx_rows(answer.content)
    assert list(sheets) == ["incidents"]
    header, *body = sheets["incidents"]
    assert list(header) == csv_rows[0]
    assert [r[0] for r in body] == [r[0] for r in csv_rows[1:]]
    assert body[0][3] == (T0 + timedelta(hours=2)).replace(tzinfo=None)  # an Excel date, in UTC

    alerts = parquet_rows((await download(api, keys["admin"], "alerts.parquet")).content)[1]
    assert {type(a["value"]) for a in alerts} == {float}
    empty = await download(api, keys["admin"], "alerts.xlsx", region="R9")
    assert xlsx_rows(empty.content) == {"alerts": [tuple(c.name for c in DATASETS["alerts"].columns)]}
    assert (await download(api, keys["admin"], "alerts.ods")).json()["error"]["parameter"] == "format"


async def test_a_parquet_export_of_many_rows_reads_back_whole_from_the_command_line(
    db: asyncpg.Connection, shared_settings: SharedSettings, tmp_path: Path, seeded: None
) -> None:
    await db.execute(
        """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body)
           SELECT 'bulk-' || lpad(n::text, 6, '0'), 'S3', 'M1', 'http', 'turnout',
                  $1::timestamptz + n * interval '1 second', $1::timestamptz,
                  jsonb_build_object('ballots_issued', n)
           FROM generate_series(1, 120000) n""",
        T0 + timedelta(hours=5),
    )
    out = tmp_path / "reports.parquet"
    done = await command(shared_settings, "export", "reports", "--out", str(out))
    assert done.exit_code == 0, done.output
    parsed = pq.read_table(out)
    assert parsed.num_rows == 4 + 120_000
    assert pq.ParquetFile(out).metadata.num_row_groups >= 3  # written a row group at a time
    bulk = parsed.filter(pa.compute.starts_with(parsed["id"], "bulk-"))
    assert bulk["id"][-1].as_py() == "bulk-120000"
    assert orjson.loads(bulk["body"][-1].as_py()) == {"ballots_issued": 120000}
    xlsx = tmp_path / "reports.xlsx"
    done = await command(
        shared_settings,
        "export",
        "reports",
        "--until",
        (T0 + timedelta(hours=3)).isoformat(),
        "--out",
        str(xlsx),
    )
    assert done.exit_code == 0, done.output
    assert [r[0] for r in xlsx_rows(xlsx.read_bytes())["reports"]] == ["id", "r1", "r2", "r3", "r4"]
