"""`pollwatch replay` as a user runs it, against the real services."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from services.common.infra.settings import SharedSettings
from tests.support.processes import free_port, run_all, run_service, service_env

pytestmark = pytest.mark.e2e

TOO_LONG = "Ж" * 201
# The 2011 CEC file's columns (russia_dkobak/2011.csv.zip), as the replay reads them.
DUMA_2011_HEADER = [
    "region",
    "tik",
    "uik",
    "Число избирателей, внесенных в список избирателей",
    "Число избирательных бюллетеней, полученных участковой избирательной комиссией",
    "Число избирательных бюллетеней, выданных избирателям, проголосовавшим досрочно",
    "Число избирательных бюллетеней, выданных избирателям в помещении для голосования",
    "Число избирательных бюллетеней, выданных избирателям вне помещения для голосования",
    "Число погашенных избирательных бюллетеней",
    "Число недействительных избирательных бюллетеней",
    "Число действительных избирательных бюллетеней",
    "Число избирательных бюллетеней, не учтенных при получении",
    '5. Политическая партия "Российская объединенная демократическая партия "ЯБЛОКО"',
    '6. Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"',
    "url",
]
# region, station, registered, at the station, outside it (home), invalid, Yabloko, United Russia
DUMA_2011_ROWS = [
    ("Город Москва", "1", 2000, 1100, 40, 10, 500, 630),
    ("Город Москва", "2", 1800, 900, 30, 5, 400, 525),
    ("Камчатский край", "1", 1500, 700, 60, 8, 100, 652),
    ("Камчатский край", "2", 1200, 650, 50, 6, 90, 604),
    ("Калининградская область", "1", 1600, 800, 20, 7, 200, 613),
]


def duma_2011_file(folder: Path) -> Path:
    """A five-station file in the 2011 CEC format, named as the dataset is (so: ru-2011-duma)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DUMA_2011_HEADER)
    for region, uik, registered, at_station, home, invalid, yabloko, united in DUMA_2011_ROWS:
        issued = at_station + home
        valid = issued - invalid
        assert yabloko + united == valid
        writer.writerow(
            [
                region,
                "1 ТИК",
                uik,
                registered,
                registered,
                0,
                at_station,
                home,
                0,
                invalid,
                valid,
                0,
                yabloko,
                united,
                "",
            ]
        )
    path = folder / "russia_dkobak" / "2011.csv.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2011.csv", out.getvalue())
    return path


def export_file(path: Path, names: tuple[str, ...]) -> Path:
    """A pollwatch protocols export (services/forensics/datasets.py) of three stations."""
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
        timeout=300,
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
    assert "3 of 42 reports lost" in result.stderr


def test_a_replay_whose_protocols_never_reach_the_read_model_fails(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    """Ingest takes every report, but no aggregator turns them into figures."""
    file = export_file(tmp_path / "export.csv", ("A", "B"))
    port = free_port()
    env = service_env(shared_settings, INGEST_PORT=str(port))
    with run_service("ingest", env, port, tmp_path) as ingest:
        assert ingest.wait_ready().status_code == 200, ingest.log_tail()
        result = replay(shared_settings, file, ingest.url, "--election", "demo", "--wait-s", "5")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "outcomes: accepted=42" in result.stdout
    assert "read model: 0 of 3 protocols in" in result.stderr


async def read_back(url: str) -> tuple[dict[str, str], list[datetime], dict[str, int]]:
    conn = await asyncpg.connect(url)
    try:
        kinds = {r["name"]: r["kind"] for r in await conn.fetch("SELECT name, kind FROM regions")}
        kamchatka = await conn.fetch(
            "SELECT observed_at FROM reports r JOIN stations s ON s.id = r.station_id "
            "JOIN regions g ON g.id = s.region_id WHERE g.name = 'Камчатский край' ORDER BY observed_at"
        )
        rules = await conn.fetch("SELECT rule, count(*) AS n FROM alerts GROUP BY rule")
    finally:
        await conn.close()
    return kinds, [r["observed_at"] for r in kamchatka], {r["rule"]: r["n"] for r in rules}


def test_a_russian_replay_ends_with_every_protocol_in_the_read_model(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    """2011 on its date, each region on its own clock, with the election's rules profile."""
    file = duma_2011_file(tmp_path)
    with run_all(shared_settings, tmp_path, AGGREGATOR_RULES_PROFILE="ru-2011-duma") as services:
        for service in services.values():
            assert service.wait_ready(90).status_code == 200, service.log_tail()
        result = replay(shared_settings, file, services["ingest"].url, "--wait-s", "180")
        logs = services["aggregator"].log_tail(200)
    assert result.returncode == 0, result.stdout + result.stderr + logs
    assert "outcomes: accepted=30" in result.stdout
    assert (
        "election: Russia, State Duma, 4 December 2011; polls 08:00-20:00 local time, UTC+3..+12"
        in result.stdout
    )
    assert "read model: all 5 protocols in, as sent" in result.stdout
    kinds, kamchatka, alerts = asyncio.run(read_back(shared_settings.database_url.get_secret_value()))
    assert kinds == {"Город Москва": "city", "Камчатский край": "region", "Калининградская область": "region"}
    assert kamchatka[0] == datetime(2011, 12, 3, 22, tzinfo=UTC)  # 10:00 on 4 December, UTC+12
    assert "silent_station" not in alerts, alerts
