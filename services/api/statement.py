"""`pollwatch statement`: a draft preliminary statement a press officer edits, in en, ru or kk.

Every figure is computed from the stored reports as of an event time (repository/statement.py),
never typed; texts are the message catalog's `statement` section. Markdown, with the tables as
CSV and the charts as PNG beside it (statement_charts.py), and the forensics summary the
aggregator computed last by then, with the caveats docs/forensics.md states.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from services.api.repository.statement import ForensicsSummary, StatementCounts, statement_counts
from services.api.statement_charts import write_charts
from services.common import catalog
from services.common.catalog import Lang
from services.common.checklist_config import ChecklistConfig, load_checklists
from services.common.contracts.events import AlertText, ChecklistPhase, ViolationType

SECTION = "statement"
# The charts beside the Markdown: file stem -> its title's key.
CHARTS = {"violations": "chart_violations", "coverage": "chart_coverage", "turnout": "chart_turnout"}


@dataclass(frozen=True, slots=True)
class Draft:
    markdown: str
    tables: dict[str, list[list[str]]]  # file name -> rows, header first


def pct(count: int, of: int) -> float:
    return round(100.0 * count / of, 1) if of else 0.0


def _say(key: str, lang: Lang, **params: float | str) -> str:
    return catalog.render(AlertText(key, params), lang, section=SECTION)


def draft(counts: StatementCounts, as_of: datetime, lang: Lang, questions: ChecklistConfig) -> Draft:
    total = sum(s for s, _ in counts.coverage.values())
    observed = sum(o for _, o in counts.coverage.values())
    lines = [
        f"# {_say('title', lang)}",
        "",
        _say("as_of", lang, time=as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
    ]
    if observed < total:
        lines += ["", f"_{_say('provisional', lang, observed=observed, total=total)}_"]
    lines += [
        "",
        f"## {_say('coverage', lang)}",
        "",
        _say("coverage_line", lang, observed=observed, total=total, share=pct(observed, total)),
    ]
    header = [_say(k, lang) for k in ("region", "stations", "observed", "share")]
    coverage = [header] + [
        [r, str(s), str(o), catalog.number(pct(o, s), lang)] for r, (s, o) in counts.coverage.items()
    ]
    lines += ["", *_markdown_table(coverage)]
    lines += ["", f"## {_say('opening', lang)}", ""]
    for q in questions.of(ChecklistPhase.OPENING):
        _, no = counts.opening.get(q.id, (0, 0))
        line = _say("opening_line", lang, checklist=q.id, no=no, observed=observed, share=pct(no, observed))
        lines.append(f"- {line}")
    lines += ["", f"## {_say('violations', lang)}", ""]
    seen = [(v, counts.violations[v.value]) for v in ViolationType if v.value in counts.violations]
    for v, (stations, regions) in seen:
        figures = {"stations": stations, "regions": regions, "share": pct(stations, observed)}
        lines.append(f"- {_say('violation_line', lang, violation=v.value, **figures)}")
    if not seen:
        lines.append(_say("none", lang))
    n, ballots, registered = counts.turnout
    lines += ["", f"## {_say('turnout', lang)}", ""]
    lines.append(
        _say(
            "turnout_line",
            lang,
            stations=n,
            ballots=ballots,
            registered=registered,
            share=pct(ballots, registered),
            total=counts.registered,
        )
    )
    lines += ["", f"## {_say('alerts', lang)}", ""]
    lines += [
        f"- {_say('alert_line', lang, rule=rule, count=count)}"
        for rule, count in sorted(counts.confirmed.items())
    ]
    if not counts.confirmed:
        lines.append(_say("none", lang))
    lines += ["", f"## {_say('forensics', lang)}", "", *_forensics(counts.forensics, lang)]
    lines += ["", f"## {_say('charts', lang)}", ""]
    for stem, key in CHARTS.items():
        lines += [f"![{_say(key, lang)}]({stem}.{lang.value}.png)", ""]
    lines.pop()
    violations = [[_say(k, lang) for k in ("violations", "stations", "region", "share")]]
    violations += [[v.value, str(s), str(r), catalog.number(pct(s, observed), lang)] for v, (s, r) in seen]
    return Draft("\n".join(lines) + "\n", {"coverage.csv": coverage, "violations.csv": violations})


def _forensics(f: ForensicsSummary | None, lang: Lang) -> list[str]:
    if f is None:
        return [_say("forensics_none", lang)]
    limits: dict[str, float | str] = {"threshold": f.threshold_z, "min": f.min_stations}
    out = [
        _say(
            "forensics_line",
            lang,
            time=f.computed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            stations=f.stations,
            tested=f.tested,
            observed=f.observed,
            expected=round(f.expected, 1),
            z=round(f.z, 1),
        )
    ]
    if f.flagged:
        out += ["", _say("forensics_regions", lang, regions=", ".join(f.flagged), **limits)]
    if f.too_few:
        out += ["", _say("forensics_too_few", lang, regions=", ".join(f.too_few), **limits)]
    return [*out, "", f"_{_say('forensics_caveat', lang, **limits)}_"]


def _markdown_table(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return out + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def write(d: Draft, out: Path, lang: Lang) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [out / f"statement.{lang.value}.md"]
    written[0].write_text(d.markdown, encoding="utf-8")
    for name, rows in d.tables.items():
        path = out / f"{Path(name).stem}.{lang.value}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        written.append(path)
    return written


async def make_statement(database_url: str, as_of: datetime, lang: Lang, out: Path) -> list[Path]:
    conn = await asyncpg.connect(database_url)
    try:
        counts = await statement_counts(conn, as_of)
    finally:
        await conn.close()
    written = write(draft(counts, as_of, lang, load_checklists()), out, lang)
    return written + write_charts(counts, lang, out)
