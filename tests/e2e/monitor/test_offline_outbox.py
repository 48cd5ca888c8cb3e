"""The monitor app in headless Chromium on the real stack (ingest, Kafka, aggregator, PostgreSQL, API).

Signs in from the link a credential sheet prints, fills every form, goes offline (network
emulation for the page and its service worker), submits five reports and a photo, reloads the page
while offline (the service worker serves the shell, IndexedDB still holds the outbox), goes online,
and checks that every report reaches the read model exactly once and that the photo is served to
an analyst key and refused to a partner key.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack
from tests.e2e.monitor.phone import ENTRY, STATION, TIMEOUT_MS, sign_in, states, submit, wait_states

pytestmark = pytest.mark.e2e
PROTOCOL = {
    "#registeredVoters": "1000",
    "#ballotsReceived": "900",
    "#protocolBallotsIssued": "600",
    "#ballotsCast": "590",
    "#validBallots": "580",
    "#invalidBallots": "10",
}


def png(width: int, height: int) -> bytes:
    """A gradient PNG, larger than the 1,600 px the app downscales to."""
    red = bytes(x * 255 // width for x in range(width))
    lines = []
    for y in range(height):
        line = bytearray(width * 3)
        line[0::3], line[1::3], line[2::3] = red, bytes([y * 255 // height]) * width, b"\x80" * width
        lines.append(b"\x00" + bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(lines))) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


async def test_reports_made_offline_survive_a_reload_and_arrive_once(
    stack: Stack, phone: Browser, db: asyncpg.Connection, tmp_path: Path
) -> None:
    sign_in(phone, stack)

    submit(phone, "readiness", answer_all=True)
    wait_states(phone, ["sent"])

    phone("offline", offline=True)
    phone("waitSelector", selector='[data-testid="network"].down')
    submit(phone, "opening", answer_all=True)
    submit(phone, "turnout", {"#ballotsIssued": "312", "#homeVotingApplications": "4"})
    photo = tmp_path / "ballot-box.png"
    photo.write_bytes(png(2400, 1200))
    phone("click", selector='[data-form="incident"]')
    phone("select", selector='select[name="violation"]', value="ballot_stuffing")
    phone("fill", selector='textarea[name="description"]', value="пачка бюллетеней в урне №2")
    phone("setFiles", selector="#photo-input", files=[str(photo)])
    phone("waitSelector", selector="figure[data-photo] img")
    phone("click", selector="#send")
    phone("waitSelector", selector="#station")
    submit(phone, "closing", answer_all=True)
    phone("click", selector='[data-form="protocol"]')
    for selector, value in PROTOCOL.items():
        phone("fill", selector=selector, value=value)
    phone("click", selector="#add-contestant")  # no contestants file: the monitor types the code
    phone("fill", selector='input[name="party-0"]', value="P01")
    phone("fill", selector='input[name="votes-0"]', value="600")  # 600 votes for 580 valid ballots
    phone("waitSelector", selector='[data-check="votes_mismatch"]')  # warned, not blocked
    phone("click", selector="#send")
    phone("waitSelector", selector="#station")
    assert states(phone) == ["waiting"] * 5 + ["sent"]

    phone("reload")  # offline: the shell comes from the service worker, the outbox from IndexedDB
    phone("waitSelector", selector="#station", timeout=TIMEOUT_MS)
    assert states(phone) == ["waiting"] * 5 + ["sent"]

    phone("offline", offline=False)
    wait_states(phone, ["sent"] * 6)

    ids = list(phone("evaluate", script=f"[...document.querySelectorAll('{ENTRY}')].map(e => e.dataset.id)"))
    counted: dict[str, int] = {}
    for _ in range(TIMEOUT_MS // 500):
        rows = await db.fetch(
            "SELECT id, count(*) AS n FROM reports WHERE id = ANY($1::text[]) GROUP BY id", ids
        )
        counted = {r["id"]: r["n"] for r in rows}
        if len(counted) == len(ids):
            break
        await asyncio.sleep(0.5)
    assert counted == dict.fromkeys(ids, 1)
    kinds = await db.fetch(
        "SELECT kind, count(*) AS n FROM reports WHERE id = ANY($1::text[]) GROUP BY kind", ids
    )
    assert {r["kind"]: r["n"] for r in kinds} == {"checklist": 3, "turnout": 1, "incident": 1, "protocol": 1}

    photos = await db.fetch("SELECT id, media_type, station_id FROM evidence")
    assert [(p["media_type"], p["station_id"]) for p in photos] == [("image/jpeg", STATION)]
    api = stack.services["api"].url
    async with httpx.AsyncClient(timeout=30) as client:
        seen = await client.get(
            f"{api}/v1/evidence/{photos[0]['id']}", headers={"X-API-Key": stack.keys["analyst"]}
        )
        assert seen.status_code == 200
        assert seen.content.startswith(b"\xff\xd8\xff")  # downscaled to a JPEG on the phone
        refused = await client.get(
            f"{api}/v1/evidence/{photos[0]['id']}", headers={"X-API-Key": stack.keys["partner"]}
        )
        assert refused.status_code == 403
    # Offline, Chromium logs each failed request; anything else is the app's own error.
    offline = ("ERR_INTERNET_DISCONNECTED", "Failed to fetch", "Failed to load resource")
    assert [e for e in phone("consoleErrors") if not any(o in e for o in offline)] == []
