"""The monitor app's routes on the real PostgreSQL and Kafka: who am I, my station, the forms, photos."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx

from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import Seeded, ingest_settings
from tests.support.asgi import running

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_me_lists_the_monitors_own_stations_and_nothing_of_others(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection
) -> None:
    me = await client.get("/v1/me", headers=auth(seeded.token))
    assert me.status_code == 200
    assert me.headers["cache-control"] == "private, no-store"
    body = me.json()
    assert body["monitor"] == {"id": seeded.monitor_id, "name": "Monitor A", "language": None}
    assert body["stations"] == [
        {"id": "ALA-0123", "name": "Station 123", "district": "", "region_id": "ALA",
         "region_name": "Almaty", "registered_voters": 1000},
        {"id": "ALA-0456", "name": "Station 456", "district": "", "region_id": "ALA",
         "region_name": "Almaty", "registered_voters": 800},
    ]  # fmt: skip
    assert datetime.fromisoformat(body["server_time"]).tzinfo is not None
    await db.execute("UPDATE monitors SET lang = 'kk' WHERE id = $1", seeded.monitor_id)
    again = (await client.get("/v1/me", headers=auth(seeded.token))).json()
    assert again["monitor"]["language"] == "kk"  # the app starts in it
    other = (await client.get("/v1/me", headers=auth(seeded.other_token))).json()
    assert [s["id"] for s in other["stations"]] == ["AKM-0777"]
    assert (await client.get("/v1/me")).status_code == 401
    refused = await client.get("/v1/me", headers=auth("pw_not-a-token"))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_token"


async def test_my_station_shows_the_servers_figures_and_my_counted_reports(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection
) -> None:
    empty = await client.get("/v1/me/stations/ALA-0123", headers=auth(seeded.token))
    assert empty.json() == {"station_id": "ALA-0123", "figures": None, "reports": []}
    now = datetime.now(UTC)
    await db.execute(
        """INSERT INTO station_stats (station_id, region_id, registered_voters, ballots_issued, turnout_pct,
               turnout_rate_pp_per_hour, home_voting_applications, home_voting_pct, incidents_total,
               incidents_recent, last_report_at, open_alerts, reports_processed, updated_at, protocol)
           VALUES ('ALA-0123', 'ALA', 1000, 450, 45.0, 3.0, 12, 1.2, '{"ballot_stuffing": 1}', '{}',
                   $1, 1, 7, $1, '{"inconsistencies": ["votes_mismatch"]}')""",
        now,
    )
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await db.executemany(
        """INSERT INTO reports (id, station_id, monitor_id, channel, kind, observed_at, received_at, body)
           VALUES ($1, 'ALA-0123', $2, 'http', 'turnout', $3, $3, '{}')""",
        [(mine, seeded.monitor_id, now), (theirs, seeded.other_id, now)],
    )
    body = (await client.get("/v1/me/stations/ALA-0123", headers=auth(seeded.token))).json()
    figures = body["figures"]
    assert (figures["ballots_issued"], figures["turnout_pct"], figures["home_voting_applications"]) == (
        450,
        45.0,
        12,
    )
    assert figures["incidents_total"] == {"ballot_stuffing": 1}
    assert figures["protocol"] == {"inconsistencies": ["votes_mismatch"]}
    assert [r["id"] for r in body["reports"]] == [mine]  # another monitor's report is not listed
    assert body["reports"][0]["kind"] == "turnout"
    refused = await client.get("/v1/me/stations/AKM-0777", headers=auth(seeded.token))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "station_not_assigned"


async def test_the_forms_come_with_an_etag_and_a_304_costs_no_body(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    forms = await client.get("/v1/forms", headers=auth(seeded.token))
    assert forms.status_code == 200
    assert {q["phase"] for q in forms.json()["checklist"]} == {"readiness", "opening", "closing"}
    again = await client.get(
        "/v1/forms", headers=auth(seeded.token) | {"If-None-Match": forms.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert (await client.get("/v1/forms")).status_code == 401


async def test_a_photo_is_stored_once_by_its_sha256_for_a_station_of_the_monitor(
    client: httpx.AsyncClient, seeded: Seeded, db: asyncpg.Connection
) -> None:
    headers = auth(seeded.token) | {"Content-Type": "image/jpeg"}
    first = await client.post("/v1/evidence?station_id=ALA-0123", content=JPEG, headers=headers)
    assert first.status_code == 201, first.text
    photo_id = hashlib.sha256(JPEG).hexdigest()
    assert first.json() == {"id": photo_id, "media_type": "image/jpeg", "size_bytes": len(JPEG)}
    again = await client.post("/v1/evidence?station_id=ALA-0456", content=JPEG, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == photo_id
    row = await db.fetchrow("SELECT * FROM evidence")
    assert row is not None
    assert (row["id"], bytes(row["content"]), row["station_id"], row["monitor_id"]) == (
        photo_id, JPEG, "ALA-0123", seeded.monitor_id,
    )  # fmt: skip
    assert await db.fetchval("SELECT count(*) FROM evidence") == 1


async def test_a_bad_upload_is_refused_naming_why(client: httpx.AsyncClient, seeded: Seeded) -> None:
    jpeg = auth(seeded.token) | {"Content-Type": "image/jpeg"}
    cases = [
        ("/v1/evidence?station_id=ALA-0123", PNG, jpeg, 415, "type_mismatch"),
        ("/v1/evidence?station_id=ALA-0123", b"plain text", jpeg, 415, "not_a_photo"),
        ("/v1/evidence?station_id=ALA-0123", JPEG, auth(seeded.token), 415, "unsupported"),
        ("/v1/evidence", JPEG, jpeg, 400, "required"),
        ("/v1/evidence?station_id=AKM-0777", JPEG, jpeg, 403, "station_not_assigned"),
        ("/v1/evidence?station_id=XXX-0001", JPEG, jpeg, 422, "unknown_station"),
        ("/v1/evidence?station_id=ALA-0123", JPEG, {"Content-Type": "image/jpeg"}, 401, "unauthenticated"),
    ]
    for path, content, headers, status, code in cases:
        answer = await client.post(path, content=content, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (path, answer.text)


async def test_a_photo_above_the_limit_is_refused_before_it_is_stored(
    shared_settings: SharedSettings, seeded: Seeded, db: asyncpg.Connection
) -> None:
    async with running(create_app(ingest_settings(shared_settings, evidence_max_bytes=2048))) as small:
        headers = auth(seeded.token) | {"Content-Type": "image/jpeg"}
        answer = await small.post("/v1/evidence?station_id=ALA-0123", content=JPEG, headers=headers)
        assert answer.status_code == 413
        assert answer.json()["error"] == {
            "code": "too_large", "field": "body", "message": "a photo is at most 2048 bytes",
        }  # fmt: skip
        fits = await small.post(
            "/v1/evidence?station_id=ALA-0123",
            content=PNG,
            headers=auth(seeded.token) | {"Content-Type": "image/png"},
        )
        assert fits.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM evidence") == 1


async def test_a_report_names_its_photos_and_the_openapi_document_lists_the_app_routes(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    photo = (
        await client.post(
            "/v1/evidence?station_id=ALA-0123",
            content=JPEG,
            headers=auth(seeded.token) | {"Content-Type": "image/jpeg"},
        )
    ).json()["id"]
    report = {
        "id": str(uuid.uuid4()),
        "station_id": "ALA-0123",
        "observed_at": datetime.now(UTC).isoformat(),
        "incident": {"violation": "ballot_stuffing", "description": "box 2", "evidence_ids": [photo]},
    }
    answer = await client.post("/v1/reports", json=report, headers=auth(seeded.token))
    assert answer.status_code == 202, answer.text
    spec = (await client.get("/openapi.json")).json()
    assert {"/v1/me", "/v1/me/stations/{station_id}", "/v1/forms", "/v1/evidence"} <= set(spec["paths"])
