"""The Findings view in headless Chromium against the real stack: regions × violations and checklist
questions, counted in stations, updated live, each cell linking to the stations behind it."""

from __future__ import annotations

import pytest

from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack, post_report
from tests.support.waits import PIPELINE_MS

pytestmark = pytest.mark.e2e
TIMEOUT_MS = PIPELINE_MS


# Counts the findings queries the page sends from now on; a reload would drop the counter.
COUNT_FINDINGS_QUERIES = """(() => {
  window.__findingsQueries = 0;
  window.__sameDocument = true;
  const send = window.fetch;
  window.fetch = (input, init) => {
    if (String(init && init.body).includes("findings")) window.__findingsQueries += 1;
    return send(input, init);
  };
  return true;
})()"""


def cell(region: str, column: str) -> str:
    return f'[data-testid="findings-table"] tr[data-region="{region}"] td[data-col="{column}"]'


def stuffing(stack: Stack, station: str) -> None:
    post_report(stack, station, {"incident": {"violation": "ballot_stuffing", "description": ""}})


async def test_findings_matrix_counts_stations_live_and_links_to_them(stack: Stack, browser: Browser) -> None:
    opening = {"phase": "opening", "answers": {"ballot_boxes_sealed": False, "voter_list_available": True}}
    post_report(stack, "ALA-0001", {"checklist": opening})
    post_report(stack, "ALA-0002", {"turnout": {"ballots_issued": 100, "home_voting_applications": 0}})
    browser.sign_in(stack.dashboard, stack.keys["analyst"])
    browser("hash", hash="#/findings")
    # Almaty: 2 stations observed of 6, one box not sealed.
    browser("waitText", selector=cell("ALA", "observed"), contains="2 / 6", timeout=TIMEOUT_MS)
    browser(
        "waitText",
        selector=cell("ALA", "opening.ballot_boxes_sealed"),
        contains="50.0% · 1",
        timeout=TIMEOUT_MS,
    )
    assert browser("text", selector=cell("ALA", "opening.voter_list_available")) == "–"
    assert (
        browser("attr", selector=cell("ALA", "opening.ballot_boxes_sealed"), name="class")
        == "num heat heat-4"
    )

    # Live, while the view is open: stuffing reported three times from two stations counts two,
    # and the cells change from the subscription, with no reload and no findings query.
    assert browser("evaluate", script=COUNT_FINDINGS_QUERIES) is True
    stuffing(stack, "ALA-0002")
    stuffing(stack, "ALA-0002")
    stuffing(stack, "AKM-0001")
    browser(
        "waitText", selector=cell("national", "ballot_stuffing"), contains="66.7% · 2", timeout=TIMEOUT_MS
    )
    browser("waitText", selector=cell("ALA", "ballot_stuffing"), contains="50.0% · 1", timeout=TIMEOUT_MS)
    assert browser("text", selector=cell("AKM", "ballot_stuffing")) == "100.0% · 1"
    assert browser("text", selector=cell("AKM", "family_voting")) == "–"
    assert "Monitors observed 3 of 12 stations (25.0%)." in browser(
        "text", selector='[data-testid="findings-observed"]'
    )
    assert browser("evaluate", script="window.__findingsQueries") == 0
    assert browser("evaluate", script="window.__sameDocument") is True
    browser.screenshot("findings-live")

    # A cell links to the stations it counts.
    browser("click", selector=f"{cell('ALA', 'ballot_stuffing')} a")
    browser("waitSelector", selector='[data-station="ALA-0002"]', timeout=TIMEOUT_MS)
    assert browser("count", selector="[data-station]") == 1
    assert "Ballot stuffing" in browser("text", selector='[data-testid="finding-filter"]')
    browser("hash", hash="#/findings")
    browser("click", selector=f"{cell('ALA', 'opening.ballot_boxes_sealed')} a")
    browser("waitSelector", selector='[data-station="ALA-0001"]', timeout=TIMEOUT_MS)
    assert browser("count", selector="[data-station]") == 1
    assert browser("consoleErrors") == []


async def test_public_keys_see_the_matrix_without_links_to_stations(stack: Stack, browser: Browser) -> None:
    stuffing(stack, "AKM-0003")
    browser.sign_in(stack.dashboard, stack.keys["public"])
    browser("hash", hash="#/findings")
    browser("waitText", selector=cell("AKM", "ballot_stuffing"), contains="100.0% · 1", timeout=TIMEOUT_MS)
    assert browser("count", selector='[data-testid="findings-table"] td a') == 0
    assert browser("consoleErrors") == []


def readiness_cell(region: str, column: str) -> str:
    return f'[data-testid="readiness-table"] tr[data-region="{region}"] td[data-col="{column}"]'


def readiness(stack: Stack, station: str, ready: bool, **answers: bool) -> None:
    post_report(
        stack, station, {"checklist": {"phase": "readiness", "answers": {"station_ready": ready, **answers}}}
    )


async def test_readiness_view_counts_ready_not_ready_and_silent_stations_live(
    stack: Stack, browser: Browser
) -> None:
    readiness(stack, "ALA-0001", True, voter_list_available=True)
    readiness(stack, "ALA-0002", False, voter_list_available=False)
    browser.sign_in(stack.dashboard, stack.keys["analyst"])
    browser("hash", hash="#/readiness")
    browser("waitText", selector=readiness_cell("ALA", "ready"), contains="1 / 6", timeout=TIMEOUT_MS)
    assert browser("text", selector=readiness_cell("ALA", "not-ready")) == "1"
    assert browser("text", selector=readiness_cell("ALA", "not-reported")) == "4"
    assert browser("text", selector=readiness_cell("ALA", "voter_list_available")) == "1"
    assert browser("text", selector=readiness_cell("AKM", "not-reported")) == "6"
    assert "1 of 12 stations reported ready, 1 not ready, 10 not reported yet." in browser(
        "text", selector='[data-testid="readiness-summary"]'
    )

    # Live: the station that was not ready reports ready; an Akmola station reports not ready.
    assert browser("evaluate", script=COUNT_FINDINGS_QUERIES) is True
    readiness(stack, "ALA-0002", True, voter_list_available=True)
    readiness(stack, "AKM-0004", False)
    browser("waitText", selector=readiness_cell("ALA", "ready"), contains="2 / 6", timeout=TIMEOUT_MS)
    browser("waitText", selector=readiness_cell("AKM", "not-ready"), contains="1", timeout=TIMEOUT_MS)
    assert browser("text", selector=readiness_cell("ALA", "not-ready")) == "0"
    assert browser("text", selector=readiness_cell("national", "not-reported")) == "9"
    assert browser("evaluate", script="window.__findingsQueries") == 0
    browser.screenshot("readiness-live")

    # The stations behind "not ready", and the view in Russian and Kazakh.
    browser("click", selector=f"{readiness_cell('AKM', 'not-ready')} a")
    browser("waitSelector", selector='[data-station="AKM-0004"]', timeout=TIMEOUT_MS)
    assert browser("count", selector="[data-station]") == 1
    browser("hash", hash="#/readiness")
    for lang, title in (("ru", "Готовность накануне выборов"), ("kk", "Сайлау қарсаңындағы дайындық")):
        browser("select", selector='[data-testid="language"]', value=lang)
        browser("waitText", selector="#readiness-title", contains=title, timeout=TIMEOUT_MS)
    assert browser("consoleErrors") == []
