"""GET /v1/evidence/{id}: photos for analyst keys and above, within their regions; never who sent them."""

from __future__ import annotations

import hashlib

import asyncpg
import httpx

from tests.integration.api.conftest import Api

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PHOTO_ID = hashlib.sha256(JPEG).hexdigest()


async def store(db: asyncpg.Connection, station_id: str = "S1") -> None:
    await db.execute(
        """INSERT INTO evidence (id, media_type, size_bytes, content, station_id, monitor_id)
           VALUES ($1, 'image/jpeg', $2, $3, $4, 'M1')""",
        PHOTO_ID,
        len(JPEG),
        JPEG,
        station_id,
    )


async def fetch(api: Api, key: str | None, photo_id: str = PHOTO_ID) -> httpx.Response:
    headers = {"X-API-Key": key} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{api.url}/v1/evidence/{photo_id}", headers=headers)


async def test_an_analyst_reads_the_photo_and_nothing_of_who_took_it(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await store(db)
    for name in ("analyst", "admin"):
        answer = await fetch(api, keys[name])
        assert answer.status_code == 200, (name, answer.text)
        assert answer.content == JPEG
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "M1" not in str(answer.headers)


async def test_partners_the_public_and_other_regions_are_refused(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await store(db)  # S1 is in region R1
    cases = [
        (None, PHOTO_ID, 401, "unauthenticated"),
        (keys["revoked"], PHOTO_ID, 401, "unauthenticated"),
        (keys["public"], PHOTO_ID, 403, "forbidden"),
        (keys["partner"], PHOTO_ID, 403, "forbidden"),
        (keys["partner_texts"], PHOTO_ID, 403, "forbidden"),  # incident texts, still no photos
        (keys["analyst_r2"], PHOTO_ID, 404, "not_found"),  # as if absent outside its regions
        (keys["analyst"], "0" * 64, 404, "not_found"),
        (keys["analyst"], "not-a-digest", 404, "not_found"),
    ]
    for key, photo_id, status, code in cases:
        answer = await fetch(api, key, photo_id)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (key, photo_id)
