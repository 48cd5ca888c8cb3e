"""The review queue in headless Chromium against the real stack: a coordinator scoped to one region
works its queue with the keyboard, sees another coordinator's claim live, and a rejected report
leaves its station's figures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from services.api.auth import generate_key, hash_secret
from services.api.repository import keys as key_sql
from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack, post_report
from tests.support.waits import PIPELINE_MS

pytestmark = pytest.mark.e2e
TIMEOUT_MS = PIPELINE_MS
ITEMS = '[data-testid="review-item"]'

# Counts the review queue reads the page sends from now on: live changes need none.
COUNT_QUEUE_READS = """(() => {
  window.__queueReads = 0;
  const send = window.fetch;
  window.fetch = (input, init) => {
    if (String(init && init.body).includes("reviewQueue")) window.__queueReads += 1;
    return send(input, init);
  };
  return true;
})()"""


def gql(stack: Stack, key: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = httpx.post(
        f"{stack.services['api'].url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"X-API-Key": key},
        timeout=30,
    )
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def ballots(stack: Stack, station: str, expected: int) -> None:
    """Waits until the station's figures show `expected` ballots issued."""
    query = "query($id: ID!) { station(id: $id) { stats { ballotsIssued } } }"
    seen = None
    for _ in range(300):
        stats = gql(stack, stack.keys["analyst"], query, {"id": station})["station"]["stats"]
        seen = None if stats is None else stats["ballotsIssued"]
        if seen == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{station}: {seen} ballots issued, expected {expected}")


def item(report_id: str) -> str:
    return f'{ITEMS}[data-item="REPORT:{report_id}"]'


def reports(stack: Stack, station: str) -> list[str]:
    """The station's reports in the queue, oldest first."""
    query = "query($states: [VerificationState!]) { reviewQueue(states: $states) { kind id stationId at } }"
    states = ["UNVERIFIED", "QUARANTINED", "VERIFIED", "REJECTED"]
    found = gql(stack, stack.keys["coordinator"], query, {"states": states})["reviewQueue"]
    mine = [i for i in found if i["kind"] == "REPORT" and i["stationId"] == station]
    return [i["id"] for i in sorted(mine, key=lambda i: str(i["at"]))]


async def test_a_scoped_coordinator_works_the_queue_by_keyboard_and_sees_another_claim_live(
    stack: Stack, browser: Browser, db: asyncpg.Connection
) -> None:
    new = generate_key()
    await key_sql.insert_key(db, new.id, hash_secret(new.secret), "coordinator", "desk-ala", False, ["ALA"])
    now = datetime.now(UTC)
    turnout = {"home_voting_applications": 0}
    post_report(
        stack, "ALA-0001", {"turnout": {"ballots_issued": 300, **turnout}}, now - timedelta(minutes=30)
    )
    post_report(
        stack, "ALA-0001", {"turnout": {"ballots_issued": 400, **turnout}}, now - timedelta(minutes=20)
    )
    post_report(
        stack, "ALA-0002", {"turnout": {"ballots_issued": 100, **turnout}}, now - timedelta(minutes=10)
    )
    post_report(
        stack, "AKM-0001", {"turnout": {"ballots_issued": 200, **turnout}}, now - timedelta(minutes=40)
    )
    await ballots(stack, "ALA-0001", 400)
    await ballots(stack, "AKM-0001", 200)
    first, second = reports(stack, "ALA-0001")
    (third,) = reports(stack, "ALA-0002")
    (akmola,) = reports(stack, "AKM-0001")

    # Its region's items only (the reports, and any alert the aggregator raised there).
    browser.sign_in(stack.dashboard, new.token)
    browser("hash", hash="#/review")
    for report in (first, second, third):
        browser("waitSelector", selector=item(report), timeout=TIMEOUT_MS)
    assert browser("count", selector=item(akmola)) == 0
    assert browser("count", selector=ITEMS) == browser("count", selector=f'{ITEMS}[data-region="ALA"]')
    assert browser("evaluate", script=COUNT_QUEUE_READS) is True

    # The second report (400 ballots) by keyboard: j moves down to it, c claims it.
    where = (
        f"[...document.querySelectorAll('{ITEMS}')].findIndex((e) => e.dataset.item === 'REPORT:{second}')"
    )
    for position in range(2, browser("evaluate", script=where) + 2):
        browser("press", selector="body", key="j")
        browser(
            "waitSelector", selector=f'{ITEMS}:nth-child({position})[aria-current="true"]', timeout=TIMEOUT_MS
        )
    selected = f'{item(second)}[aria-current="true"]'
    assert browser("count", selector=selected) == 1
    browser("press", selector="body", key="c")
    browser(
        "waitText",
        selector=f"{selected} [data-testid='review-claimed']",
        contains="desk-ala",
        timeout=TIMEOUT_MS,
    )

    # The call-back: the monitor withdraws it.
    browser("select", selector=f"{selected} select", value="RETRACTED")
    browser("fill", selector=f"{selected} input", value="typed 400 for 300")
    browser("click", selector=f"{selected} button:has-text('Record call')")
    browser(
        "waitText", selector=selected, contains="Withdrew the report, by api:desk-ala", timeout=TIMEOUT_MS
    )

    # Another coordinator (every region) claims ALA-0002's report: this page shows it, unasked.
    claim = "mutation($id: ID!) { claimReviewItem(kind: REPORT, id: $id) { claimedBy } }"
    gql(stack, stack.keys["coordinator"], claim, {"id": third})
    browser(
        "waitText",
        selector=f"{item(third)} [data-testid='review-claimed']",
        contains="org-coordinator",
        timeout=TIMEOUT_MS,
    )
    assert browser("attr", selector=item(second), name="aria-current") == "true"
    browser.screenshot("review-claimed-live")

    # x rejects the selected report: it leaves the queue and ALA-0001's figures go back to 300.
    browser("press", selector="body", key="x")
    browser("waitSelector", selector=item(second), state="detached", timeout=TIMEOUT_MS)
    assert browser("count", selector=item(first)) == browser("count", selector=item(third)) == 1
    await ballots(stack, "ALA-0001", 300)
    await ballots(stack, "AKM-0001", 200)
    decided = gql(
        stack, stack.keys["coordinator"], "{ reviewQueue(states: [REJECTED]) { id callBack note } }"
    )
    assert decided["reviewQueue"] == [{"id": second, "callBack": "RETRACTED", "note": "typed 400 for 300"}]
    assert browser("evaluate", script="window.__queueReads") == 0
    assert browser("consoleErrors") == []
