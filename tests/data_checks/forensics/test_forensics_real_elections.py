"""Forensics on the real elections in ../shared/data, against the authors' numbers.

Published integer-percentage excess (stations whose turnout or leader share is
within 0.05 points of a whole number, minus the mean of 1,000 binomial
simulations, AoAS filters): github.com/dkobak/elections, analysis/2024/2024.ipynb,
output of ``print(anomalies[:,0,0])`` for 2000..2024, i.e. 2011: 1003.477,
2012: 1159.585, 2024: 2931.642 (same method as Kobak, Shpilkin & Pshenichnikov,
Ann. Appl. Stat. 10(1), 2016; the 2024 figure was computed on an earlier release
of the 2024 file with 1,725 rather than 2,268 empty rows).

Tolerance: both numbers are observed minus a 1,000-draw Monte-Carlo mean, each
mean carries s.e. ~ 115 / sqrt(1000) ~ 3.6 stations, so the difference has s.e.
~ 5.1; we allow 4 s.e. (20 stations). For 2024 the data release differs, so
we allow 2 % instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.forensics.analysis import analyse
from services.forensics.datasets import load
from services.forensics.fit_caveats import fit_caveats, not_meaningful
from services.forensics.fit_search import STEP
from services.forensics.fraud_model import fit_fraud_model
from services.forensics.integer_excess import integer_excess
from services.forensics.live import LiveForensics, StationProtocol
from services.forensics.region_screen import ScreenStatus
from services.forensics.report import render

# ../shared/data beside the checkout: /work/main and /work/wt/<branch> alike.
DATA = next(
    (p / "shared" / "data" for p in Path(__file__).resolve().parents if (p / "shared" / "data").is_dir()),
    Path(__file__).resolve().parents[3].parent / "shared" / "data",
)
RUSSIA = DATA / "russia_dkobak"

PUBLISHED_EXCESS = {2011: 1003.477, 2012: 1159.585, 2024: 2931.642}


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real election data not found at {path} (see ../shared/data/README.md)")
    return path


@pytest.mark.parametrize("year", [2011, 2012, 2024])
def test_integer_excess_reproduces_published_figure(year: int) -> None:
    protocols = load(_need(RUSSIA / f"{year}.csv.zip")).protocols
    result = integer_excess(protocols, simulations=1000, seed=42, by_region=False)
    tolerance = 20.0 if year != 2024 else 0.02 * PUBLISHED_EXCESS[year]
    assert result.either.excess == pytest.approx(PUBLISHED_EXCESS[year], abs=tolerance)
    assert result.either.p_value == pytest.approx(1 / 1001)


@pytest.mark.parametrize(
    ("year", "turnout", "share"),
    # Official CEC totals (Putin 2012: 63.60 %); 2024 as printed by the dkobak notebook.
    [(2012, 0.6534, 0.6360), (2024, 0.7539, 0.8681)],
)
def test_loader_totals_match_published(year: int, turnout: float, share: float) -> None:
    p = load(_need(RUSSIA / f"{year}.csv.zip")).protocols
    assert p.leader is not None
    assert p.issued.sum() / p.registered.sum() == pytest.approx(turnout, abs=2e-4)
    assert p.leader.sum() / p.ballots.sum() == pytest.approx(share, abs=2e-4)


@pytest.mark.parametrize(
    ("year", "incremental", "extreme"),
    [(2011, (0.4, 0.85), (0.01, 0.06)), (2012, (0.25, 0.65), (0.005, 0.05))],
)
def test_fraud_fit_finds_incremental_and_extreme_fraud_in_russia(
    year: int, incremental: tuple[float, float], extreme: tuple[float, float]
) -> None:
    # Klimek et al. (PNAS 2012, Fig. 4) explain both Russian fingerprints with a large
    # share of incremental-fraud units and a few percent of extreme fraud. Their fitted
    # values were not reachable after two searches (what was searched, and how their
    # fitter differs from ours: docs/forensics.md), so the bands stay wide on purpose.
    fit = fit_fraud_model(load(_need(RUSSIA / f"{year}.csv.zip")).protocols, seed=0)
    assert incremental[0] <= fit.incremental <= incremental[1]
    assert extreme[0] <= fit.extreme <= extreme[1]
    # Both fits used to stop at the edge of alpha <= 2, theta <= 0.4; the search now
    # goes past it and the best fit lies inside the searched ranges.
    assert fit.alpha > 2
    assert fit.theta > 0.4
    assert fit.edges == ()
    assert not not_meaningful(fit)


def test_russia_2011_fit_stays_where_the_published_values_were_matched() -> None:
    # An independent check found the fit on the alpha <= 2 grid (f_i 0.66, f_e 0.025)
    # within the tolerance docs/forensics.md proposes (0.15 in f_i, 0.01 in f_e) of the
    # authors' published 2011 values; the wider search may move it by half that in f_i
    # and by one lattice step in f_e.
    fit = fit_fraud_model(load(_need(RUSSIA / "2011.csv.zip")).protocols, seed=0)
    assert abs(fit.incremental - 0.66) <= 0.075
    assert abs(fit.extreme - 0.025) <= STEP + 1e-9


def test_russia_2024_fit_is_marked_not_meaningful() -> None:
    # Turnout is so high that the "fair" mode lands at 96 % (± 24 %): no fair peak.
    fit = fit_fraud_model(load(_need(RUSSIA / "2024.csv.zip")).protocols, seed=0)
    assert fit.fair.turnout > 0.9
    assert not_meaningful(fit)
    assert fit_caveats(fit)[0].startswith("No fair-looking peak to start from")


@pytest.mark.parametrize(
    ("year", "flagged", "too_few"),
    [
        (2011, 5, set()),
        (2012, 6, {"Ямало-Ненецкий автономный округ"}),
        (2024, 18, {"Республика Тыва"}),
    ],
)
def test_region_screen_flags_and_names_every_region(year: int, flagged: int, too_few: set[str]) -> None:
    protocols = load(_need(RUSSIA / f"{year}.csv.zip")).protocols
    analysis = analyse(protocols, seed=0, simulations=1000, fit=False)
    regions = analysis.integer.regions
    assert sum(r.status is ScreenStatus.FLAGGED for r in regions) == flagged
    assert {r.region for r in regions if r.status is ScreenStatus.TOO_FEW_TESTED} == too_few
    text = render(analysis)
    assert f"Region screen: {flagged} of {len(regions)} regions flagged" in text
    for region in regions:
        listed = f"  {region.region}: " in text
        assert listed == (region.status is not ScreenStatus.BELOW_THRESHOLD), region.region


def test_live_screen_flags_what_the_command_line_flags_in_2012() -> None:
    # The live 200-protocol minimum used to leave Yamalo-Nenets (z 5.0 on 167 protocols)
    # out of the live screen without a word while the command line flagged it.
    protocols = load(_need(RUSSIA / "2012.csv.zip")).protocols
    batch = {r.region: r.status for r in integer_excess(protocols, 1000, 0).regions}
    assert protocols.candidate_votes is not None
    live = LiveForensics()
    for i, station in enumerate(protocols.station_ids):
        votes = dict(zip(protocols.candidate_names, protocols.candidate_votes[i].tolist(), strict=True))
        live.upsert(
            station,
            StationProtocol(
                protocols.region_names[int(protocols.region[i])], int(protocols.registered[i]),
                int(protocols.issued[i]), int(protocols.valid[i]), int(protocols.invalid[i]), votes,
            ),
        )  # fmt: skip
    snapshot = live.evaluate(everything=True)
    national = next(s for s in snapshot.scopes if not s.region)
    live_statuses = {r.region: r.status() for r in national.regions}
    for status in (ScreenStatus.FLAGGED, ScreenStatus.TOO_FEW_TESTED):
        assert {r for r, s in live_statuses.items() if s is status} == {
            r for r, s in batch.items() if s is status
        }


def test_romania_turnout_only() -> None:
    p = load(_need(DATA / "romania_gov2ro" / "merged_PVs-P.csv")).protocols
    assert p.size == 18_947
    assert p.leader is None
    analysis = analyse(p, seed=1, simulations=1000)
    result = analysis.integer
    assert result.share is None
    assert result.turnout.stations > 15_000
    # No leader: one turnout row, not a "turnout or leader share" row repeating it.
    assert "turnout or leader share" not in render(analysis)


def test_bulgaria_fit_finds_no_fraud_but_says_the_model_fits_poorly() -> None:
    fit = fit_fraud_model(load(_need(DATA / "bulgaria_opendata")).protocols, seed=0)
    assert (fit.incremental, fit.extreme) == (0.0, 0.0)
    assert fit.misfit > 0.3
    assert not_meaningful(fit)


def test_bulgaria_loads_with_machine_and_paper_votes() -> None:
    p = load(_need(DATA / "bulgaria_opendata")).protocols
    assert p.size == 13_005
    assert p.leader_name == "ИМА ТАКЪВ НАРОД"
    assert p.candidate_votes is not None
    result = integer_excess(p, simulations=1000, seed=1)
    assert result.either.stations > 10_000
