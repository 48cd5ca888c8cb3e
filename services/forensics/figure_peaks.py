"""integer_peaks.png: do turnout and the leader's share pile up on whole percentages?

As Kobak, Shpilkin & Pshenichnikov (AoAS 2016) Fig. 1: registered voters per 0.1-point
bin, bins centred on whole percentages. Beside the data: the same histogram expected by
chance (binomial redraws of every station, the integer test's null) and a mark on each
whole-percentage bin, so a reader sees which peaks stand above chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MultipleLocator

from services.forensics.analysis import Analysis
from services.forensics.figure_style import display_name, layout, plain_number, save
from services.forensics.fingerprint import chance_percent_histogram, percent_histogram
from services.forensics.integer_excess import ExcessTest
from services.forensics.protocols import IntArray

BINWIDTH = 0.1
CHANCE_DRAWS = 20
_END_POINTS = 0.5  # piles at exactly 0 % and 100 % are annotated, not allowed to set the scale
_SCALE_HEADROOM = 1.15


@dataclass(frozen=True)
class _Panel:
    title: str
    axis: str
    counts: IntArray
    totals: IntArray
    test: ExcessTest | None


def integer_peaks_figure(analysis: Analysis, path: Path, seed: int = 0) -> Path:
    """Turnout (and the leader's share, when there is a leader) in 0.1-point bins."""
    p = analysis.protocols
    panels = [_Panel("Turnout", "turnout (%)", p.issued, p.registered, analysis.integer.turnout)]
    leader = display_name(p.leader_name)
    if p.leader is not None:
        panels.append(
            _Panel(
                f"{leader}'s share of the vote",
                f"share of the vote for {leader} (%)",
                p.leader,
                p.ballots,
                analysis.integer.share,
            )
        )
    figure, axes = plt.subplots(len(panels), 1, figsize=(11, 3.6 * len(panels)), squeeze=False)
    rng = np.random.default_rng(seed)
    for axis, panel in zip(axes[:, 0], panels, strict=True):
        _draw(axis, panel, p.registered, rng)
    figure.suptitle(f"{p.name}\nAre whole-number percentages more common than chance?", fontsize=12, y=0.995)
    layout(figure, header_lines=3, footer=[(_how_to_read(analysis), "black")], left=0.08, hspace=0.5)
    # Above the panels, so it never covers data or the off-scale notes.
    handles, labels = axes[0, 0].get_legend_handles_labels()
    top = axes[0, 0].get_position().y1
    figure.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, top + 0.045),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    return save(figure, path)


def _draw(axis: Axes, panel: _Panel, registered: IntArray, rng: np.random.Generator) -> None:
    keep = panel.totals > 0
    weights = registered[keep].astype(np.float64)
    percent = 100.0 * panel.counts[keep] / panel.totals[keep]
    centres, observed = percent_histogram(percent, weights, BINWIDTH)
    _, chance = chance_percent_histogram(
        panel.counts[keep], panel.totals[keep], weights, rng, CHANCE_DRAWS, BINWIDTH
    )
    whole = np.arange(0, centres.size, round(1 / BINWIDTH))
    thousands, chance_k = observed / 1e3, chance / 1e3
    axis.plot(centres, thousands, color="0.55", linewidth=0.6, label="reported, every 0.1-point bin")
    axis.plot(centres, chance_k, color="#1f3b73", linewidth=0.9, label="expected by chance")
    axis.plot(
        centres[whole], thousands[whole], "o", color="#d62728", markersize=2.6,
        label="reported, bins at a whole percentage",
    )  # fmt: skip
    body = (centres >= _END_POINTS) & (centres < 100 - _END_POINTS)
    top = _SCALE_HEADROOM * max(float(thousands[body].max()), float(chance_k[body].max()), 1e-3)
    axis.set_ylim(0, top)
    _mark_off_scale(axis, centres, thousands, top)
    axis.set_xlim(*_data_range(centres, observed))
    axis.xaxis.set_major_locator(MultipleLocator(5))
    axis.xaxis.set_minor_locator(MultipleLocator(1))
    axis.yaxis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_xlabel(panel.axis)
    axis.set_ylabel("registered voters\n(thousands) per bin")
    axis.set_title(_panel_title(panel), fontsize=10, loc="left")


def _data_range(centres: np.ndarray, observed: np.ndarray) -> tuple[float, float]:
    """The axis's span: multiples of 5 outside which lie under 0.2 % of the voters on
    either side (empty stretches would squeeze the data into a corner)."""
    cumulative = np.cumsum(observed)
    if cumulative[-1] <= 0:
        return 0.0, 100.0
    low, high = np.searchsorted(cumulative, (0.002 * cumulative[-1], 0.998 * cumulative[-1]))
    first = float(centres[min(int(low), centres.size - 1)])
    last = float(centres[min(int(high), centres.size - 1)])
    return 5.0 * np.floor(first / 5.0), min(100.0, 5.0 * np.ceil(last / 5.0))


def _mark_off_scale(axis: Axes, centres: np.ndarray, thousands: np.ndarray, top: float) -> None:
    """Bins taller than the axis (piles at 0 % or 100 %) get an arrow and their height."""
    for end in (centres < 50, centres >= 50):
        over = np.flatnonzero(end & (thousands > top))
        if not over.size:
            continue
        tallest = int(over[np.argmax(thousands[over])])
        voters = thousands[tallest] * 1e3
        amount = f"{voters / 1e6:.2f} million" if voters >= 1e6 else f"{voters:,.0f}"
        right = centres[tallest] >= 50
        axis.annotate(
            f"{centres[tallest]:.1f} %: {amount} voters, off the scale",
            xy=(centres[tallest], top), xytext=(centres[tallest] + (-3 if right else 3), 0.9 * top),
            ha="right" if right else "left", va="center", fontsize=8,
            arrowprops={"arrowstyle": "->", "color": "0.3"},
        )  # fmt: skip


def _panel_title(panel: _Panel) -> str:
    test = panel.test
    if test is None:
        return panel.title
    return (
        f"{panel.title}\n{test.observed:,} of {test.stations:,} tested stations at a whole percentage, "
        f"{test.null_mean:,.0f} expected by chance (excess {test.excess:+,.0f}, z = {test.z:.1f})"
    )


def _how_to_read(analysis: Analysis) -> str:
    either = analysis.integer.either
    has_leader = analysis.integer.share is not None
    who = "turnout or the leader's share" if has_leader else "turnout"
    text = (
        "How to read: where ballots are counted, a station's "
        f"{who} lands on a whole percentage (such as 60.0 %) only by chance. The blue line is what "
        "chance gives, from each station's own size and result (small stations can only report "
        "coarse steps, so some whole percentages are expected). Red dots far above it are whole "
        "percentages reported more often than chance explains: a sign that results were written "
        "down rather than counted (Kobak, Shpilkin & Pshenichnikov 2016). It says nothing about "
        "any single station. The curves weigh each station by its registered voters; the test in "
        "the panel titles counts stations with at least 100 voters and rates of at most 99 %."
    )
    if not has_leader:
        return text
    return (
        f"{text} Turnout or share whole: {either.observed:,} stations, {either.null_mean:,.0f} "
        f"expected (z = {either.z:.1f}, p = {either.p_value:.2g} from "
        f"{analysis.integer.simulations:,} simulated counts)."
    )
