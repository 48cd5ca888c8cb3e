"""fingerprint.png and fingerprint_fit.png: stations by turnout and the leader's share
(Klimek, Yegorov, Hanel & Thurner, PNAS 2012), and the fraud model fitted to them.

The level a fair count would give is drawn: on the fingerprint as the fitted fair
model's 2-s.d. ellipse, on the fit figure as a panel of its own. The fit's caveats
(``fit_caveats``) are printed on the fit figure, in red.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.image import AxesImage
from matplotlib.patches import Ellipse
from numpy.typing import NDArray

from services.forensics.analysis import Analysis
from services.forensics.figure_style import (
    CAVEAT_COLOUR,
    display_name,
    label_log_colourbar,
    layout,
    log_colours,
    save,
)
from services.forensics.fit_caveats import STANDING, fit_caveats, not_meaningful
from services.forensics.fraud_model import FairParameters, FraudFit

_PANEL_IN = 5.2
_COLOURS = plt.get_cmap("viridis").with_extremes(bad="white")
_FAIR_COLOUR = "#ff2d55"


def fingerprint_figure(analysis: Analysis, path: Path) -> Path:
    """Station- and voter-weighted fingerprints, 1-point cells, the fair ellipse on both."""
    stations, voters = analysis.fingerprint_stations, analysis.fingerprint_voters
    assert stations is not None
    assert voters is not None
    p = analysis.protocols
    leader = display_name(p.leader_name)
    fit = analysis.fraud_fit
    fair = fit.fair if fit is not None and not not_meaningful(fit) else None
    panels = [
        ("Each polling station counted once", stations.counts, "polling stations"),
        ("Each station weighted by its registered voters", voters.counts, "registered voters"),
    ]
    figure, axes = plt.subplots(1, 2, figsize=(2 * _PANEL_IN + 1.6, _PANEL_IN), squeeze=False)
    for axis, (title, counts, unit) in zip(axes[0], panels, strict=True):
        image = _heatmap(axis, counts, log_colours(counts), leader)
        axis.set_title(title, fontsize=10)
        label_log_colourbar(figure.colorbar(image, ax=axis), f"{unit} per cell (log scale)")
        if fair is not None:
            _fair_ellipse(axis, fair)
    figure.suptitle(f"{p.name}\nWhere polling stations sit by turnout and {leader}'s share", y=0.995)
    layout(figure, header_lines=2, footer=[(_fingerprint_note(leader, fit, fair), "black")])
    return save(figure, path)


def fit_figure(analysis: Analysis, path: Path) -> Path:
    """Observed, fitted and fair-model fingerprints on one colour scale, caveats below."""
    fit = analysis.fraud_fit
    assert fit is not None
    p = analysis.protocols
    leader = display_name(p.leader_name)
    panels = [
        ("Observed", fit.observed),
        (
            f"Model with fraud: {fit.incremental:.0%} of stations with some\n"
            f"ballots added, {fit.extreme:.1%} with nearly all (f_i, f_e)",
            fit.fitted,
        ),
        ("Model without fraud: the fitted fair peak\n(what a fair count would look like)", fit.fair_model),
    ]
    norm = log_colours(np.concatenate([counts.ravel() for _, counts in panels]))
    figure, axes = plt.subplots(1, 3, figsize=(3 * _PANEL_IN + 1.4, _PANEL_IN), squeeze=False)
    for axis, (title, counts) in zip(axes[0], panels, strict=True):
        image = _heatmap(axis, counts, norm, leader)
        axis.set_title(title, fontsize=10)
    _fair_ellipse(axes[0][0], fit.fair)
    verdict = "  NOT MEANINGFUL for this election: see the notes below" if not_meaningful(fit) else ""
    figure.suptitle(
        f"{p.name}\nDoes the Klimek et al. (2012) fraud model reproduce this fingerprint?{verdict}",
        y=0.995,
        color=CAVEAT_COLOUR if verdict else "black",
    )
    footer = [(caveat, CAVEAT_COLOUR) for caveat in fit_caveats(fit)]
    footer.append((_fit_note(fit), "black"))
    layout(figure, header_lines=2, footer=footer, right=0.91)
    box = axes[0][2].get_position()
    bar = figure.colorbar(image, cax=figure.add_axes((0.93, box.y0, 0.012, box.height)))
    label_log_colourbar(bar, "polling stations per cell (log scale)")
    return save(figure, path)


def _heatmap(axis: Axes, counts: NDArray[np.float64], norm: LogNorm, leader: str) -> AxesImage:
    # Rows are turnout, columns the leader's share; empty cells are masked (white).
    image = axis.imshow(
        np.ma.masked_less(counts, 1.0), origin="lower", extent=(0, 100, 0, 100), cmap=_COLOURS, norm=norm
    )
    axis.set_xlabel(f"share of the vote for {leader} (%)")
    axis.set_ylabel("turnout (%)")
    axis.set_xticks(range(0, 101, 20))
    axis.set_yticks(range(0, 101, 20))
    return image


def _fair_ellipse(axis: Axes, fair: FairParameters) -> None:
    # 2 s.d. of two independent normals hold 1 - exp(-2) = 86 % of the fair stations.
    centre = (100 * fair.share, 100 * fair.turnout)
    ellipse = Ellipse(
        centre, 400 * fair.share_sd, 400 * fair.turnout_sd, fill=False, edgecolor=_FAIR_COLOUR,
        linestyle="--", linewidth=1.4, label="fitted fair peak (86 % of its stations)",
    )  # fmt: skip
    axis.add_patch(ellipse)
    axis.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.85)


def _fingerprint_note(leader: str, fit: FraudFit | None, fair: FairParameters | None) -> str:
    text = (
        "How to read: each cell spans 1 point of turnout by 1 point of "
        f"{leader}'s share; its colour shows how many stations (left) or registered voters (right) "
        "fall in it, on a log scale; white cells are empty. A fair count usually forms one compact "
        f"cloud. A streak towards the top right (high turnout together with a high share for {leader}) "
        "is the pattern ballot stuffing leaves, and a cluster at 100 % turnout and 100 % share the "
        "pattern of results written down wholesale (Klimek et al. 2012). They are reasons to look "
        "closer, not proof."
    )
    if fair is not None:
        return (
            f"{text} Dashed: where a fair count would put 86 % of the stations (the fair model fitted "
            f"in fingerprint_fit.png: turnout {fair.turnout:.0%} ± {fair.turnout_sd:.0%}, share "
            f"{fair.share:.0%} ± {fair.share_sd:.0%})."
        )
    if fit is not None:
        return f"{text} No fair peak could be estimated for this election (see fingerprint_fit.png)."
    return text


def _fit_note(fit: FraudFit) -> str:
    return (
        "How to read: the model (Klimek et al. 2012) starts from a fair peak, the mode of turnout and "
        "of the share with the spread on their left sides, and adds fraud: in a share f_i of stations "
        "some non-voters' ballots are added for the leader (incremental fraud), in a share f_e nearly "
        "all of them (extreme fraud), and some of the other candidates' votes move too. It is fitted "
        "to the observed panel; cells span 2.5 points. Dashed: the fair model's 86 % ellipse. "
        f"Fitted: f_i = {fit.incremental:.2f}, f_e = {fit.extreme:.3f}, alpha = {fit.alpha:g}, "
        f"theta = {fit.theta:g}; {fit.misfit:.0%} of stations lie in other cells than the model puts "
        f"them. {STANDING}"
    )
