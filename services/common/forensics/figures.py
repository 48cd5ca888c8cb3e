"""PNG figures of an Analysis (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from services.common.forensics.analysis import Analysis
from services.common.forensics.fingerprint import percent_histogram


def write_figures(analysis: Analysis, out: Path) -> list[Path]:
    """Write every figure the analysis allows into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = [_histograms(analysis, out / "integer_peaks.png")]
    if analysis.fingerprint_stations is not None and analysis.fingerprint_voters is not None:
        written.append(
            _heatmaps(
                [
                    ("stations", analysis.fingerprint_stations.counts),
                    ("registered voters", analysis.fingerprint_voters.counts),
                ],
                analysis.protocols.name,
                out / "fingerprint.png",
            )
        )
    if analysis.fraud_fit is not None:
        fit = analysis.fraud_fit
        written.append(
            _heatmaps(
                [
                    ("observed", fit.observed),
                    (f"fitted f_i={fit.incremental:.2f} f_e={fit.extreme:.3f}", fit.fitted),
                    ("fair model (f_i=f_e=0)", fit.fair_model),
                ],
                analysis.protocols.name,
                out / "fingerprint_fit.png",
            )
        )
    return written


def _heatmaps(panels: list[tuple[str, NDArray[np.float64]]], title: str, path: Path) -> Path:
    figure, axes = plt.subplots(1, len(panels), figsize=(5.8 * len(panels), 4.6), squeeze=False)
    for axis, (label, counts) in zip(axes[0], panels, strict=True):
        image = axis.imshow(np.log10(1.0 + counts), origin="lower", extent=(0, 100, 0, 100), cmap="magma")
        axis.set_xlabel("leader share (%)")
        axis.set_ylabel("turnout (%)")
        axis.set_title(label)
        figure.colorbar(image, ax=axis, label="log10(1 + count)")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _histograms(analysis: Analysis, path: Path) -> Path:
    p = analysis.protocols
    panels = [("turnout (%)", 100.0 * p.issued / np.maximum(p.registered, 1))]
    if p.leader is not None:
        panels.append(("leader share (%)", 100.0 * p.leader / np.maximum(p.ballots, 1)))
    figure, axes = plt.subplots(len(panels), 1, figsize=(10, 3.2 * len(panels)), squeeze=False)
    weights = p.registered.astype(np.float64)
    for axis, (label, values) in zip(axes[:, 0], panels, strict=True):
        # 0.1-point bins centred on whole percentages, voter-weighted (AoAS 2016 Fig. 1).
        centres, counts = percent_histogram(values, weights, binwidth=0.1)
        axis.plot(centres, counts, linewidth=0.7)
        axis.set_xlim(0, 100)
        axis.set_xticks(np.arange(0, 101, 5))
        axis.set_xlabel(label)
        axis.set_ylabel("registered voters\nper 0.1 % bin")
    figure.suptitle(f"{p.name}: integer peaks")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
