"""Shared look of the forensics figures: names, plain numbers, log colour scales, the
title and footer layout (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colorbar import Colorbar
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator
from numpy.typing import NDArray

DPI = 110
CAVEAT_COLOUR = "#b00020"
_CHARS_PER_IN = 13.5  # footer characters per inch of figure width, at font size 9
_LINE_IN = 0.2  # inches per footer line


def display_name(name: str | None) -> str:
    """A contestant's name as a reader knows it: ballot number dropped, a party's
    quoted short name ("ЕДИНАЯ РОССИЯ") instead of its full legal name."""
    if not name:
        return "the leader"
    quoted = re.search(r"[\"«“]([^\"»”]+)[\"»”]", name)
    return quoted.group(1).strip() if quoted else re.sub(r"^\d+\.\s*", "", name).strip()


def plain_number(value: float, _position: object = None) -> str:
    """1234567 -> '1,234,567' (no offsets, no exponents on any axis)."""
    return f"{value:,.0f}"


def log_colours(counts: NDArray[np.float64]) -> LogNorm:
    """A log colour scale from the smallest count in a cell (one station, or a few hundred
    voters) to the largest; empty cells are masked and drawn white."""
    filled = counts[counts >= 1.0]
    low = float(filled.min()) if filled.size else 1.0
    return LogNorm(vmin=low, vmax=max(float(counts.max()), 10.0 * low))


def label_log_colourbar(bar: Colorbar, label: str) -> None:
    """Plain counts (1, 10, 100, 1,000) on a log colour bar, not exponents."""
    bar.set_label(label)
    bar.ax.yaxis.set_major_locator(LogLocator(base=10))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(plain_number))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda _v, _p: ""))


def layout(
    figure: Figure,
    header_lines: int,
    footer: list[tuple[str, str]],
    left: float = 0.06,
    right: float = 0.97,
    hspace: float = 0.2,
) -> None:
    """Leave room for a title of ``header_lines`` lines and write ``footer`` (text,
    colour) paragraphs, wrapped, under the panels."""
    width, height = figure.get_size_inches()
    wrap = int(width * _CHARS_PER_IN)
    lines = [(line, colour) for text, colour in footer for line in textwrap.wrap(text, wrap)]
    footer_in = 0.35 + _LINE_IN * len(lines)
    figure.set_size_inches(width, height + footer_in)
    total = height + footer_in
    y = (footer_in - 0.1) / total
    for line, colour in lines:
        figure.text(0.02, y, line, fontsize=9, color=colour, va="top", ha="left")
        y -= _LINE_IN / total
    top = 1.0 - (0.3 + 0.28 * header_lines) / total
    bottom = (footer_in + 0.6) / total
    figure.subplots_adjust(left=left, right=right, top=top, bottom=bottom, hspace=hspace)


def save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path
