"""`pollwatch statement` on a simulated day stored in real PostgreSQL: its coverage and its
counts per violation type are the simulator's ground truth, in every language."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from services.aggregator.domain.station_state import StationInfo
from services.aggregator.sink import ReceivedReport, write_reports
from services.api.statement import make_statement
from services.common import codec
from services.common import events as ev
from services.common.catalog import Lang
from services.common.station_store import store_registry
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

    written = await make_statement(database_url, as_of, lang, tmp_path)
    assert [p.name for p in written] == [
        f"statement.{lang.value}.md",
        f"coverage.{lang.value}.csv",
        f"violations.{lang.value}.csv",
    ]

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
