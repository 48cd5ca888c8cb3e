"""The statement's PNG charts (matplotlib, Agg): violations per type, coverage per region and
turnout seen by monitors per region, titled and labelled in the statement's language, each bar
one of the figures the Markdown and CSV tables give (nothing typed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from services.api.repository.statement import StatementCounts
from services.common import catalog
from services.common.catalog import Lang
from services.common.contracts.events import ViolationType

DPI = 110
COLOUR = "#2b6cb0"


def pct(count: int, of: int) -> float:
    return round(100.0 * count / of, 1) if of else 0.0


def _bars(
    path: Path, title: str, axis: str, labels: list[str], values: list[float], fmt: Callable[[float], str]
) -> Path:
    """Horizontal bars, the first label on top, each bar with its value written beside it."""
    height = 1.4 + 0.35 * max(1, len(labels))
    figure, ax = plt.subplots(figsize=(8, height))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=COLOUR)
    ax.set_yticks(positions, labels)
    ax.set_title(title)
    ax.set_xlabel(axis)
    top = max(values, default=0) or 1
    ax.set_xlim(0, top * 1.15)
    for y, v in zip(positions, values, strict=True):
        ax.text(v + top * 0.01, y, fmt(v), va="center", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def write_charts(counts: StatementCounts, lang: Lang, out: Path) -> list[Path]:
    """violations.<lang>.png, coverage.<lang>.png and turnout.<lang>.png in `out`."""

    def say(key: str) -> str:
        return catalog.text("statement", key, lang)

    def num(v: float) -> str:
        return catalog.number(v, lang)

    seen = [v for v in ViolationType if v.value in counts.violations]
    regions = list(counts.coverage)
    turnout = {r: counts.turnout_by_region.get(r, (0, 0, 0)) for r in regions}
    return [
        _bars(
            out / f"violations.{lang.value}.png",
            say("chart_violations"),
            say("chart_stations"),
            [catalog.text("violation", v.value, lang) for v in seen],
            [counts.violations[v.value][0] for v in seen],
            lambda v: f"{v:.0f}",
        ),
        _bars(
            out / f"coverage.{lang.value}.png",
            say("chart_coverage"),
            say("chart_observed_pct"),
            regions,
            [pct(o, s) for s, o in counts.coverage.values()],
            num,
        ),
        _bars(
            out / f"turnout.{lang.value}.png",
            say("chart_turnout"),
            say("chart_turnout_pct"),
            regions,
            [pct(b, reg) for _, b, reg in turnout.values()],
            num,
        ),
    ]
