"""The terminal report says what it counts: every flagged region, the near misses, the fit's caveats."""

from __future__ import annotations

from services.forensics.analysis import analyse
from services.forensics.report import render
from tests.unit.forensics.synthetic import clean_election, rig_integer_turnout


def test_every_flagged_region_is_listed() -> None:
    regions = tuple(range(18))
    rigged, _ = rig_integer_turnout(clean_election(seed=4, stations=9000, regions=18), 5, 0.4, regions)
    text = render(analyse(rigged, seed=0, simulations=1000, fit=False))
    assert "Region screen: 18 of 18 regions flagged" in text
    listed = [line for line in text.splitlines() if "integer vs" in line and "by chance" in line]
    assert sorted(line.split(":")[0].strip() for line in listed) == sorted(f"R{r}" for r in regions)


def test_a_fit_without_a_fair_peak_is_printed_as_not_meaningful() -> None:
    # Every station near 93 % turnout: the "fair" peak is the high-turnout pile itself.
    text = render(analyse(clean_election(seed=2, stations=6000, turnout=0.93), seed=0, simulations=1000))
    assert "Fingerprint fit (Klimek et al. 2012): NOT MEANINGFUL for this election" in text
    assert "caveat: No fair-looking peak to start from" in text
    assert "A fit is not proof of fraud" in text
