"""`pollwatch replay` as a user runs it, against the real services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.common.settings import SharedSettings
from tests.support.processes import free_port, run_service, service_env

pytestmark = pytest.mark.e2e

TOO_LONG = "Ж" * 201


def export_file(path: Path, names: tuple[str, ...]) -> Path:
    """A pollwatch protocols export (services/common/forensics/datasets.py) of three stations."""
    header = "station_id,region,registered,issued,home_issued,valid,invalid," + ",".join(
        f"votes:{n}" for n in names
    )
    rows = [
        f"{sid},{region},1000,600,20,590,10," + ",".join(str(v) for v in votes)
        for sid, region, votes in (
            ("S1", "North", (400, 190)),
            ("S2", "North", (300, 290)),
            ("S3", "South", (500, 90)),
        )
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def replay(
    shared: SharedSettings, file: Path, ingest_url: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", "replay", str(file), "--ingest-url", ingest_url, *extra],
        env=service_env(shared),
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_replay_with_refused_reports_says_why_and_fails(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    file = export_file(tmp_path / "export.csv", (TOO_LONG, "Other"))
    port = free_port()
    env = service_env(shared_settings, INGEST_PORT=str(port))
    with run_service("ingest", env, port, tmp_path) as ingest:
        assert ingest.wait_ready().status_code == 200, ingest.log_tail()
        result = replay(shared_settings, file, ingest.url, "--election", "demo")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "3 reports refused by ingest:" in result.stdout
    assert f"  3 x bad_party at protocol.votes.{TOO_LONG}: party or candidate names are 1-200 characters" in (
        result.stdout
    )
    assert "(e.g. report " in result.stdout
    assert "3 of 18 reports lost" in result.stderr
