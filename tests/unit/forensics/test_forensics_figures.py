"""The PNG figures say what they show: titles, plain axes, the chance or fair level, caveats.

The figures are caught at ``savefig`` and read back as matplotlib objects.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from services.forensics.analysis import Analysis, analyse
from services.forensics.figure_style import display_name
from services.forensics.figures import write_figures
from tests.unit.forensics.synthetic import clean_election, rebuild


def _drawn(analysis: Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Figure]:
    caught: dict[str, Figure] = {}

    def catch(figure: Figure, path: Path, **_: object) -> None:
        figure.draw_without_rendering()
        caught[Path(path).name] = figure

    monkeypatch.setattr(Figure, "savefig", catch)
    write_figures(analysis, tmp_path)
    return caught


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]


def test_integer_peaks_names_the_leader_draws_chance_and_keeps_the_100_percent_pile_off_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_election(seed=3, stations=6000)
    assert clean.leader is not None
    issued = clean.issued.copy()
    issued[:600] = clean.registered[:600]  # 10 % of stations at 100 % turnout
    piled = rebuild(clean, issued, clean.valid, clean.leader)
    figure = _drawn(analyse(piled, seed=0, simulations=1000, fit=False), tmp_path, monkeypatch)[
        "integer_peaks.png"
    ]
    texts = _texts(figure)
    assert any("Are whole-number percentages more common than chance?" in t for t in texts)
    turnout, share = figure.axes[:2]
    assert share.get_xlabel() == "share of the vote for A (%)"
    pile = piled.registered[:600].sum() / 1e3
    assert turnout.get_ylim()[1] < pile / 5  # the pile does not set the scale ...
    assert any("100.0 %" in t and "off the scale" in t for t in texts)  # ... it is labelled
    for axis in (turnout, share):
        assert axis.yaxis.get_offset_text().get_text() == ""  # no "1e6"
        labels = {line.get_label() for line in axis.get_lines()}
        assert {"expected by chance", "reported, bins at a whole percentage"} <= labels
        assert "expected by chance" in axis.get_title(loc="left")
    assert any(t.startswith("How to read") for t in texts)


def test_fingerprints_use_plain_counts_and_the_fit_prints_its_caveats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Turnout piled near 93 %: no fair peak, so the fit must say it means nothing here.
    high = clean_election(seed=2, stations=6000, turnout=0.93)
    figures = _drawn(analyse(high, seed=0, simulations=1000), tmp_path, monkeypatch)
    for name in ("fingerprint.png", "fingerprint_fit.png"):
        labels = [axis.get_ylabel() for axis in figures[name].axes]
        assert not any("log10" in label for label in labels)
        assert any("per cell (log scale)" in label for label in labels)
    fit_texts = _texts(figures["fingerprint_fit.png"])
    assert any("NOT MEANINGFUL for this election" in t for t in fit_texts)
    assert any(t.startswith("No fair-looking peak to start from") for t in fit_texts)
    assert any("A fit is not proof of fraud" in t for t in fit_texts)


def test_display_names_drop_ballot_numbers_and_legal_forms() -> None:
    assert display_name('6. Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"') == "ЕДИНАЯ РОССИЯ"
    assert display_name("Путин Владимир Владимирович") == "Путин Владимир Владимирович"
    assert display_name("3. Жириновский Владимир Вольфович") == "Жириновский Владимир Вольфович"
    assert display_name(None) == "the leader"
