"""A phone swap, a station move and a reissued token take effect at once in the running ingest
service, although it caches monitors for five minutes here: each change notifies it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.common.infra.settings import SharedSettings
from services.common.monitors.changes import issue_tokens
from services.common.monitors.onboarding import import_roster
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from tests.support.processes import free_port, run_service, service_env

OLD_PHONE, NEW_PHONE = "+442079460001", "+442079460002"
ROSTER = f"name,phone,stations,language\nAigerim Bekova,{OLD_PHONE},ALA-0001,kk\n"


def pollwatch(shared: SharedSettings, *args: str) -> str:
    """The real command, as an operator types it."""
    done = subprocess.run(
        [sys.executable, "-m", "services", *args],
        env=service_env(shared),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def report(station: str) -> dict[str, object]:
    return {
        "id": uuid.uuid4().hex,
        "station_id": station,
        "observed_at": datetime.now(UTC).isoformat(),
        "turnout": {"ballots_issued": 10, "home_voting_applications": 0},
    }


def sms(client: httpx.Client, phone: str, text: str = "T 0001 10") -> str:
    answer = client.post("/v1/sms", data={"from": phone, "text": text})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def post(client: httpx.Client, token: str, station: str = "ALA-0001") -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.post("/v1/reports", json=report(station), headers=headers).status_code


@pytest.mark.e2e
async def test_swap_move_and_reissue_are_refused_or_taken_at_once(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await store_registry(
        db,
        Registry(
            (Region("ALA", "Almaty", "city"),),
            (Station("ALA-0001", "ALA", "School 1", 1000), Station("ALA-0002", "ALA", "School 2", 900)),
        ),
    )
    await import_roster(db, ROSTER, "test", dry_run=False)
    monitor_id = await db.fetchval("SELECT id FROM monitors")
    (token,) = (await issue_tokens(db, [monitor_id], "test")).values()
    port = free_port()
    env = service_env(shared_settings, INGEST_PORT=str(port), INGEST_AUTH_CACHE_SECONDS="300")
    with (
        run_service("ingest", env, port, tmp_path) as ingest,
        httpx.Client(base_url=ingest.url, timeout=30) as client,
    ):
        assert ingest.wait_ready().status_code == 200, ingest.log_tail()
        # Each credential is used once first, so ingest has it cached.
        assert sms(client, OLD_PHONE) == "accepted"
        assert sms(client, NEW_PHONE) == "rejected"  # not registered (also cached)
        assert post(client, token) == 202

        pollwatch(shared_settings, "monitors", "swap-phone", monitor_id, NEW_PHONE)
        assert sms(client, OLD_PHONE, "T 0001 20") == "rejected"
        assert sms(client, NEW_PHONE, "T 0001 20") == "accepted"

        pollwatch(shared_settings, "monitors", "move", monitor_id, "--station", "ALA-0002")
        assert post(client, token, "ALA-0001") == 403
        assert post(client, token, "ALA-0002") == 202

        pollwatch(shared_settings, "monitors", "credentials", "--reissue", "--out", str(tmp_path / "cards"))
        assert post(client, token, "ALA-0002") == 401
        sheet = (tmp_path / "cards" / "credentials-ALA.html").read_text()
        new_token = sheet.split("/m/#t=", 1)[1].split("<", 1)[0]
        assert new_token != token
        assert post(client, new_token, "ALA-0002") == 202

    audit = await db.fetch("SELECT actor, action, subject, details FROM audit_log ORDER BY id")
    assert [r["action"] for r in audit] == [
        "monitors.imported",
        "monitors.tokens_issued",
        "monitor.phone_swapped",
        "monitor.stations_moved",
        "monitors.tokens_issued",
    ]
    swap = audit[2]
    assert swap["subject"] == monitor_id
    assert swap["actor"].startswith("cli:")
    assert swap["details"] == '{"to": "+442*******02", "from": "+442*******01"}'
    assert OLD_PHONE not in str([tuple(r) for r in audit])
