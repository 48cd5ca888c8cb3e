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

from services.common.forensics.datasets import load
from services.common.forensics.fraud_model import fit_fraud_model
from services.common.forensics.integer_excess import integer_excess

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
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


def test_romania_turnout_only() -> None:
    p = load(_need(DATA / "romania_gov2ro" / "merged_PVs-P.csv")).protocols
    assert p.size == 18_947
    assert p.leader is None
    result = integer_excess(p, simulations=1000, seed=1)
    assert result.share is None
    assert result.turnout.stations > 15_000


def test_bulgaria_loads_with_machine_and_paper_votes() -> None:
    p = load(_need(DATA / "bulgaria_opendata")).protocols
    assert p.size == 13_005
    assert p.leader_name == "ИМА ТАКЪВ НАРОД"
    assert p.candidate_votes is not None
    result = integer_excess(p, simulations=1000, seed=1)
    assert result.either.stations > 10_000
