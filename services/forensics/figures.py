"""PNG figures of an Analysis.

Every figure is made to be read by someone who has not read the papers: a title that
asks the figure's question, axes in percent and plain counts, the level chance or a
fair count would give drawn beside the data, and the caveats printed on the figure.
"""

from __future__ import annotations

from pathlib import Path

from services.forensics.analysis import Analysis
from services.forensics.figure_fingerprint import fingerprint_figure, fit_figure
from services.forensics.figure_peaks import integer_peaks_figure


def write_figures(analysis: Analysis, out: Path) -> list[Path]:
    """Write every figure the analysis allows into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = [integer_peaks_figure(analysis, out / "integer_peaks.png")]
    if analysis.fingerprint_stations is not None and analysis.fingerprint_voters is not None:
        written.append(fingerprint_figure(analysis, out / "fingerprint.png"))
    if analysis.fraud_fit is not None:
        written.append(fit_figure(analysis, out / "fingerprint_fit.png"))
    return written
