"""Terminal report of an Analysis (rich tables rendered to text)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from services.forensics.analysis import Analysis
from services.forensics.fit_caveats import STANDING, fit_caveats, not_meaningful
from services.forensics.fit_search import ALPHAS, THETAS
from services.forensics.integer_excess import ExcessTest, RegionExcess
from services.forensics.outliers import Z_THRESHOLD
from services.forensics.region_screen import MIN_TESTED, ScreenStatus
from services.forensics.region_screen import Z_THRESHOLD as REGION_Z


def render(analysis: Analysis, notes: tuple[str, ...] = (), width: int = 110) -> str:
    """The whole report as plain text (what ``pollwatch forensics`` prints)."""
    # Render into a buffer: the caller decides where the text goes.
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False, color_system=None)
    p = analysis.protocols
    console.rule(f"Election forensics: {p.name}")
    turnout = p.issued.sum() / max(int(p.registered.sum()), 1)
    console.print(f"{p.size:,} stations, {int(p.registered.sum()):,} registered, turnout {turnout:.2%}")
    if p.leader is not None:
        share = p.leader.sum() / max(int(p.ballots.sum()), 1)
        console.print(f"leader: {p.leader_name} with {share:.2%} of ballots")
    for note in notes:
        console.print(f"note: {note}")
    _integer(console, analysis)
    _fit(console, analysis)
    _outliers(console, analysis)
    if analysis.benford is not None:
        b = analysis.benford
        console.print(
            f"\nSecond-digit Benford (information only, never an alert): n={b.n:,}, "
            f"mean digit {b.mean_digit:.3f} (Benford 4.187), chi2={b.chi2:.1f}, p={b.p_value:.2g}"
        )
    if analysis.skipped:
        console.print("\nNot computable from this data:")
        for reason in analysis.skipped:
            console.print(f"  - {reason}")
    return console.export_text()


def _excess_row(table: Table, test: ExcessTest) -> None:
    table.add_row(
        test.label,
        f"{test.stations:,}",
        f"{test.observed:,}",
        f"{test.null_mean:,.1f} ± {test.null_std:.1f}",
        f"{test.excess:+,.1f}",
        f"{test.z:.1f}",
        f"{test.p_value:.3g}",
    )


def _integer(console: Console, analysis: Analysis) -> None:
    result = analysis.integer
    table = Table(title=f"Integer percentages (KSP 2016), {result.simulations:,} simulations")
    for column in ("statistic", "stations", "integer", "chance", "excess", "z", "p (MC)"):
        table.add_column(column)
    # Without a leader the "either" test is the turnout test: one row, not two alike.
    tests = (result.turnout,) if result.share is None else (result.either, result.turnout, result.share)
    for test in tests:
        _excess_row(table, test)
    console.print(table)
    if not result.regions:
        return
    by_z = sorted(result.regions, key=lambda r: -r.test.z)
    flagged = [r for r in by_z if r.status is ScreenStatus.FLAGGED]
    too_few = [r for r in by_z if r.status is ScreenStatus.TOO_FEW_TESTED]
    console.print(
        f"Region screen: {len(flagged)} of {len(result.regions)} regions flagged "
        f"(z >= {REGION_Z:g} with at least {MIN_TESTED} protocols tested, the live alert's rule)"
    )
    for region in flagged:
        console.print(f"  {_region_line(region)}")
    if too_few:
        console.print(f"Also z >= {REGION_Z:g}, but fewer than {MIN_TESTED} protocols tested (not flagged):")
        for region in too_few:
            console.print(f"  {_region_line(region)}")


def _region_line(region: RegionExcess) -> str:
    t = region.test
    return (
        f"{region.region}: {t.observed} integer vs {t.null_mean:.1f} by chance "
        f"(excess {t.excess:+.1f}, z {t.z:.1f}, {t.stations} tested)"
    )


def _fit(console: Console, analysis: Analysis) -> None:
    fit = analysis.fraud_fit
    if fit is None:
        return
    verdict = ": NOT MEANINGFUL for this election (caveats below)" if not_meaningful(fit) else ""
    console.print(f"\nFingerprint fit (Klimek et al. 2012){verdict}")
    console.print(
        f"  f_i = {fit.incremental:.2f}: share of stations with incremental fraud (some ballots added)"
    )
    console.print(
        f"  f_e = {fit.extreme:.3f}: share with extreme fraud (nearly every non-voter's ballot added)"
    )
    console.print(
        f"  alpha = {fit.alpha:g} (searched {ALPHAS[0]:g}-{ALPHAS[-1]:g}), theta = {fit.theta:g} "
        f"({THETAS[0]:g}-{THETAS[-1]:g}); {fit.misfit:.0%} of stations lie off the fitted model"
    )
    console.print(
        f"  fair model: turnout {fit.fair.turnout:.1%} ± {fit.fair.turnout_sd:.1%}, "
        f"leader share {fit.fair.share:.1%} ± {fit.fair.share_sd:.1%}"
    )
    for caveat in fit_caveats(fit):
        console.print(f"  caveat: {caveat}")
    console.print(f"  {STANDING}")


def _outliers(console: Console, analysis: Analysis) -> None:
    o = analysis.outliers
    console.print(
        f"\nStation outliers (|robust z| >= {Z_THRESHOLD:g} within region): "
        f"turnout {int(o.flagged_turnout().sum()):,}, home voting {int(o.flagged_home().sum()):,}"
    )
    for check in o.arithmetic:
        listed = ", ".join(analysis.protocols.station_ids[i] for i in check.stations[:3])
        suffix = f" e.g. {listed}" if listed else ""
        console.print(f"  {check.rule}: {len(check.stations):,}{suffix}")
