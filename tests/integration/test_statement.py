"""`pollwatch statement` on a simulated day stored in real PostgreSQL: its coverage and its
counts per violation type are the simulator's ground truth, in every language."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from PIL import Image

from services.aggregator.domain.station_state import StationInfo
from services.aggregator.forensics_sink import rows as forensics_rows
from services.aggregator.forensics_sink import write_forensics
from services.aggregator.sink import ReceivedReport, write_reports
from services.api.statement import make_statement
from services.common import catalog
from services.common.catalog import Lang
from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.registry.station_store import store_registry
from services.forensics.live import LiveForensics, StationProtocol
from services.simulator.model import DayOptions, plan_day
from tests.support.factories import small_registry

OPENING = datetime(2012, 1, 15, 1, 0, tzinfo=UTC)  # 07:00 in Almaty


def rows(path: Path) -> list[list[str]]:
    """A CSV table's rows below its header."""
    with path.open(encoding="utf-8") as f:
        return list(csv.reader(f))[1:]


@pytest.mark.parametrize("lang", list(Lang))
async def test_the_statement_reproduces_the_simulated_days_coverage_and_violations(
    db: asyncpg.Connection, database_url: str, tmp_path: Path, lang: Lang
) -> None:
    registry = small_registry()
    await store_registry(db, registry)
    day = plan_day(list(registry.stations), DayOptions(OPENING, "st", seed=11, irregular_share=0.45))
    infos = {s.id: StationInfo(s.region_id, s.registered_voters) for s in registry.stations}
    reports = [
        ev.Report(
            r.report_id,
            r.station_id,
            f"m-{r.station_id}",
            ev.Channel.HTTP,
            r.observed_at,
            r.observed_at,
            r.body,
        )
        for r in day.reports
    ]
    received = [ReceivedReport(r, 0, n, codec.encode_report(r)) for n, r in enumerate(reports)]
    await write_reports(db, received, infos)
    as_of = day.closing + timedelta(hours=4)
    # The forensics the aggregator computes from the day's final protocols, an hour after closing.
    live = LiveForensics()
    regions = {s.id: s.region_id for s in registry.stations}
    for r in day.reports:
        if isinstance(r.body, ev.FinalProtocol):
            p = r.body
            protocol = StationProtocol(
                regions[r.station_id],
                p.registered_voters,
                p.ballots_issued,
                p.valid_ballots,
                p.invalid_ballots,
                p.votes,
            )
            live.upsert(r.station_id, protocol)
    snapshot = live.evaluate()
    nation = snapshot.scope("")
    assert nation is not None
    await write_forensics(db, forensics_rows(snapshot, day.closing + timedelta(hours=1), 4.0, 200))

    written = await make_statement(database_url, as_of, lang, tmp_path)
    charts = [f"violations.{lang.value}.png", f"coverage.{lang.value}.png", f"turnout.{lang.value}.png"]
    assert [p.name for p in written] == [
        f"statement.{lang.value}.md",
        f"coverage.{lang.value}.csv",
        f"violations.{lang.value}.csv",
        *charts,
    ]
    for name in charts:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(tmp_path / name) as image:
            image.verify()
            assert image.format == "PNG"
            assert image.size[0] > 400
            assert image.size[1] > 100

    reporting = {r.station_id for r in day.reports}
    coverage = rows(tmp_path / f"coverage.{lang.value}.csv")
    expected_coverage: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in day.truth.values():
        expected_coverage[t.region_id][0] += 1
        expected_coverage[t.region_id][1] += t.station_id in reporting
    assert {row[0]: [int(row[1]), int(row[2])] for row in coverage} == dict(expected_coverage)

    stations_by_type: dict[str, set[str]] = defaultdict(set)
    for r in day.reports:
        if isinstance(r.body, ev.Incident):
            stations_by_type[r.body.violation.value].add(r.station_id)
    violations = rows(tmp_path / f"violations.{lang.value}.csv")
    assert {row[0]: int(row[1]) for row in violations} == {k: len(v) for k, v in stations_by_type.items()}

    text = (tmp_path / f"statement.{lang.value}.md").read_text(encoding="utf-8")
    assert str(len(reporting)) in text
    assert str(len(day.truth)) in text
    assert "{" not in text  # every placeholder filled
    # The Markdown shows each chart, titled in its language.
    for name, key in zip(charts, ("chart_violations", "chart_coverage", "chart_turnout"), strict=True):
        assert f"![{catalog.text('statement', key, lang)}]({name})" in text
    # The forensics summary: the aggregator's national figures, with the caveat.
    assert catalog.text("statement", "forensics", lang) in text
    figures: dict[str, float | str] = {
        "time": (day.closing + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "stations": nation.stations,
        "tested": nation.tested,
        "observed": nation.either.observed,
        "expected": round(nation.either.expected, 1),
        "z": round(nation.either.z, 1),
    }
    assert nation.stations > 0
    assert catalog.render(ev.AlertText("forensics_line", figures), lang, "statement") in text
    assert (
        catalog.render(ev.AlertText("forensics_caveat", {"threshold": 4.0, "min": 200}), lang, "statement")
        in text
    )


async def test_the_statement_says_when_no_forensics_were_computed_by_then(
    db: asyncpg.Connection, database_url: str, tmp_path: Path
) -> None:
    await store_registry(db, small_registry())
    await make_statement(database_url, OPENING, Lang.EN, tmp_path)
    text = (tmp_path / "statement.en.md").read_text(encoding="utf-8")
    assert "No final protocols had been evaluated by then." in text
    assert "proves fraud" not in text


async def test_a_check_in_by_then_makes_a_station_observed(
    db: asyncpg.Connection, database_url: str, tmp_path: Path
) -> None:
    registry = small_registry()
    await store_registry(db, registry)
    first, second = registry.stations[0], registry.stations[1]
    for station, at in ((first, OPENING - timedelta(minutes=10)), (second, OPENING + timedelta(hours=2))):
        monitor = f"m-{station.id}"
        await db.execute(
            "INSERT INTO monitors (id, display_name, token_hash) VALUES ($1, $1, $2)", monitor, f"h-{monitor}"
        )
        await db.execute(
            "INSERT INTO monitor_stations (monitor_id, station_id) VALUES ($1, $2)", monitor, station.id
        )
        await db.execute(
            "INSERT INTO monitor_checkins (monitor_id, at, channel) VALUES ($1, $2, 'sms')", monitor, at
        )
    await make_statement(database_url, OPENING, Lang.EN, tmp_path)
    observed = {row[0]: int(row[2]) for row in rows(tmp_path / "coverage.en.csv")}
    # The second monitor checked in after the statement's time: not yet observed.
    assert sum(observed.values()) == 1
    assert observed[first.region_id] == 1
