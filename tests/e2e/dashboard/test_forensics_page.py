"""The Forensics page in headless Chromium: live figures the aggregator's writer put in PostgreSQL.

The rows are written the way the aggregator's forensics agent writes them (services/aggregator/
forensics_sink.rows + write_forensics) from a synthetic election whose region ALA had 40 % of its
turnout figures rewritten to whole percentages; the page must pick them up by its periodic re-read,
show the region's integer-percentage figures and draw the fingerprint. Read by a public key.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import asyncpg
import numpy as np
import pytest

from services.aggregator.forensics_sink import rows, write_forensics
from services.forensics.live import LiveForensics, StationProtocol
from services.forensics.live_figures import LiveSnapshot
from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack
from tests.integration.forensics_live.election import elections, station_stats

pytestmark = pytest.mark.e2e
# The page re-reads every 10 s; generous for a loaded machine.
REFRESH_TIMEOUT_MS = 40_000
CLEAN_REGION, RIGGED_REGION = "AKM", "ALA"

# Pixels of the heatmap's colour scale: saturated and opaque (the plot background #0f172a, its grid
# lines and the grey axis labels all have a channel spread under 30; magma's faintest has 97).
HEAT_PIXELS = """(() => {
  const c = document.querySelector('[data-testid="fp-canvas"]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let heat = 0, top = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
    if (a < 250) continue;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) heat += 1;
    if (r > 245 && g > 245 && b > 180 && b < 200) top += 1;
  }
  return { heat, top, width: c.width, height: c.height };
})()"""


def snapshot() -> LiveSnapshot:
    """The aggregator's evaluation of the rigged election, its two regions renamed to the registry's."""
    _, rigged = elections(stations=800)
    rigged = dataclasses.replace(rigged, region_names=(CLEAN_REGION, RIGGED_REGION))
    live = LiveForensics()
    for s in station_stats(rigged):
        p = s.protocol
        assert p is not None
        protocol = StationProtocol(
            s.region_id, p.registered_voters, p.ballots_issued, p.valid_ballots, p.invalid_ballots, p.votes
        )
        live.upsert(s.station_id, protocol)
    return live.evaluate()


def _int(n: float) -> str:
    return f"{round(n):,}"


async def test_forensics_page_shows_the_regions_figures_and_draws_the_fingerprint(
    stack: Stack, browser: Browser, db: asyncpg.Connection
) -> None:
    browser.sign_in(stack.dashboard, stack.keys["public"])
    browser("waitText", selector="header nav", contains="Forensics", timeout=20_000)
    browser("hash", hash="#/forensics")
    browser("waitSelector", selector='[data-testid="forensics-empty"]')
    assert "pollwatch forensics" in browser("text", selector='[data-testid="forensics-other-tests"]')
    assert browser("count", selector='[data-testid="fp-canvas"]') == 0

    # The stack's aggregator writes nothing before a protocol reaches it, so these rows are the
    # only ones (the table keeps the latest computed_at per region).
    live = snapshot()
    await write_forensics(db, rows(live, datetime.now(UTC), 4.0, 200))
    nation, region = live.scope(""), live.scope(RIGGED_REGION)
    assert nation is not None
    assert region is not None
    # The region is flagged.
    assert region.tested >= 200
    assert region.either.z >= 4

    # No subscription for forensics: the periodic re-read brings the national figures.
    browser(
        "waitText",
        selector='[data-testid="fx-stations"]',
        contains=_int(nation.stations),
        timeout=REFRESH_TIMEOUT_MS,
    )
    assert browser("text", selector='[data-testid="fx-leader"]') == live.leader
    # The region screen, as `pollwatch forensics` prints it.
    summary = browser("text", selector='[data-testid="fx-screen-summary"]')
    assert summary.startswith("1 of 2 regions flagged: z ≥ 4 with at least 200 protocols tested"), summary
    flagged = browser("text", selector='[data-testid="fx-screen-flagged"]')
    assert f"z = {region.either.z:.1f}, {region.tested:,} protocols tested" in flagged, flagged
    assert browser("count", selector='[data-testid="fx-screen-too-few"]') == 0
    browser.screenshot("10-forensics-national")

    # The region through the selector: its own figures, flagged.
    browser("select", selector='[data-testid="forensics-region"]', value=RIGGED_REGION)
    browser("waitText", selector='[data-testid="fx-stations"]', contains=_int(region.stations))
    assert "region=ALA" in browser("evaluate", script="location.hash")
    either = '[data-testid="fx-integer"] tr[data-test="either"]'
    assert browser("text", selector=f'{either} td[data-col="observed"]') == _int(region.either.observed)
    assert browser("text", selector=f'{either} td[data-col="expected"]') == f"{region.either.expected:,.1f}"
    assert browser("text", selector=f'{either} td[data-col="z"]') == f"{region.either.z:,.2f}"
    turnout = '[data-testid="fx-integer"] tr[data-test="turnout"]'
    assert browser("text", selector=f'{turnout} td[data-col="observed"]') == _int(region.turnout.observed)
    assert browser("attr", selector='[data-testid="fx-verdict"]', name="data-verdict") == "flagged"

    # The heatmap: the region's stations, drawn.
    assert browser("attr", selector='[data-testid="fp-canvas"]', name="data-total") == str(region.stations)
    assert browser("attr", selector='[data-testid="fp-canvas"]', name="data-bins") == "50"
    pixels = browser("evaluate", script=HEAT_PIXELS)
    cells = int(np.count_nonzero(region.fingerprint))
    assert cells > 20
    # Every non-empty cell is about 10 x 10 pixels (the plot is up to 520 px for 50 bins).
    assert pixels["heat"] >= 30 * cells, pixels
    assert pixels["top"] > 0, pixels  # the densest cell in the scale's top colour

    # Keyboard: focusing the heatmap reads out its densest cell; an arrow key moves to the next.
    peak = int(region.fingerprint.max())
    browser("focus", selector='[data-testid="fp-canvas"]')
    readout = browser("text", selector='[data-testid="fp-readout"]')
    assert readout.endswith(f": {peak} stations"), readout
    ti, si = (int(x) for x in np.argwhere(region.fingerprint == peak)[0])
    cell = f"Turnout {2 * ti}–{2 * ti + 2}%, leader share {2 * si}–{2 * si + 2}%"
    assert readout.startswith(cell), readout
    browser("press", selector='[data-testid="fp-canvas"]', key="ArrowUp")
    up = int(region.fingerprint[ti, min(49, si + 1)])
    browser("waitText", selector='[data-testid="fp-readout"]', contains=f"leader share {2 * si + 2}–")
    assert browser("text", selector='[data-testid="fp-readout"]').endswith(f": {up} stations")

    # The same data as text: the 10-point band table adds up to the region's stations.
    browser("click", selector='[data-testid="fp-table-toggle"]')
    band_cells = browser(
        "evaluate",
        script="""[...document.querySelectorAll('[data-testid="fp-table"] tbody td')]
                  .map((td) => Number(td.textContent.replace(/,/g, '')))""",
    )
    assert len(band_cells) == 100
    assert sum(band_cells) == region.stations
    assert "region's integer-percentage alert" in browser("text", selector='[data-testid="fx-verdict"]')

    browser("evaluate", script="document.activeElement.blur(); window.scrollTo(0, 0)")
    browser("viewport", width=1366, height=1400)
    browser.screenshot("11-forensics-region")

    # Under a minimum the region does not reach, its z above the threshold is shown, not flagged,
    # and the national screen names it apart, as the command line does.
    await write_forensics(db, rows(live, datetime.now(UTC), 4.0, region.tested + 1))
    browser("click", selector="button.toolbar-end")
    browser("waitSelector", selector='[data-testid="fx-verdict"][data-verdict="aboveTooFew"]')
    verdict = browser("text", selector='[data-testid="fx-verdict"]')
    assert f"only {region.tested:,} protocols are tested" in verdict, verdict
    browser("select", selector='[data-testid="forensics-region"]', value="")
    browser("waitSelector", selector='[data-testid="fx-screen-too-few"]')
    assert "0 of 2 regions flagged" in browser("text", selector='[data-testid="fx-screen-summary"]')
    assert (
        browser("attr", selector='[data-testid="fx-screen-too-few"] li', name="data-region") == RIGGED_REGION
    )
    assert browser("consoleErrors") == []
