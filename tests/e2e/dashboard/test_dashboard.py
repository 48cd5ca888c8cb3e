"""The dashboard in headless Chromium against the real stack: live figures, alerts, roles, reconnects.

Reports go to ingest over HTTP, through Kafka and the aggregator, to the API and the page. Each test
saves screenshots to artifacts/screenshots/ and the observed update latencies to
artifacts/dashboard_e2e.json (figures, not assertions: speed belongs to bench/).
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.dashboard.browser import ROOT, Browser
from tests.e2e.dashboard.conftest import MONITOR_NAME, Stack, post_report
from tests.support.processes import run_service, service_env
from tests.support.waits import PIPELINE_MS

pytestmark = pytest.mark.e2e
UPDATE_TIMEOUT_MS = PIPELINE_MS
LATENCIES: dict[str, int] = {}


def post_turnout(stack: Stack, station: str, ballots: int, home: int = 5) -> None:
    post_report(stack, station, {"turnout": {"ballots_issued": ballots, "home_voting_applications": home}})


def wait_text(browser: Browser, what: str, selector: str, contains: str) -> int:
    elapsed = int(browser("waitText", selector=selector, contains=contains, timeout=UPDATE_TIMEOUT_MS))
    LATENCIES[what] = elapsed
    record = ROOT / "artifacts" / "dashboard_e2e.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"update_latency_ms": LATENCIES}, indent=2))
    return elapsed


async def test_posted_reports_show_live_on_overview_region_row_station_page_and_alert_feed(
    stack: Stack, browser: Browser
) -> None:
    browser.sign_in(stack.dashboard, stack.keys["admin"])
    assert browser("sessionKey") == stack.keys["admin"]
    assert stack.keys["admin"] not in browser("evaluate", script="location.href")
    browser("waitSelector", selector='[data-testid="national-turnout"]')
    browser.screenshot("01-overview-before")

    # Overview: national ballots and reporting stations, live.
    post_turnout(stack, "ALA-0002", 300)
    post_turnout(stack, "AKM-0001", 200)
    wait_text(browser, "overview", '[data-testid="national-ballots"]', "500 ballots issued so far")
    wait_text(browser, "overview_reporting", '[data-testid="stations-reporting"]', "2")
    browser.screenshot("02-overview-live")

    # Regions: the row of the region that received a report.
    browser("hash", hash="#/regions")
    browser("waitSelector", selector='tr[data-region="ALA"]')
    post_turnout(stack, "ALA-0003", 250)
    wait_text(browser, "region_row", 'tr[data-region="ALA"] td[data-col="ballots"]', "550")
    assert "200" in browser("text", selector='tr[data-region="AKM"] td[data-col="ballots"]')
    browser.screenshot("03-regions-live")

    # The station page.
    browser("hash", hash="#/station/ALA-0002")
    browser("waitSelector", selector='[data-testid="station-page"]')
    assert "300" in browser("text", selector='[data-testid="station-ballots"]')
    post_turnout(stack, "ALA-0002", 420)
    wait_text(browser, "station_page", '[data-testid="station-ballots"]', "420 of 1,000")
    wait_text(browser, "station_turnout", '[data-testid="station-turnout"]', "42.00%")
    browser.screenshot("04-station-live")

    # The alert feed: 95% turnout at one station crosses the abnormal-turnout threshold (90%).
    # Only this rule's cards are counted: while polls are open in Almaty (wall clock), the
    # monitored stations that sent nothing are rightly monitor_absent too.
    browser("hash", hash="#/alerts")
    browser("waitSelector", selector="#alerts-title")
    assert browser("count", selector='[data-alert][data-rule="abnormal_turnout"]') == 0
    post_turnout(stack, "ALA-0004", 950)
    card_selector = '[data-testid="alert-feed"] li[data-alert="abnormal_turnout:ALA-0004"]'
    wait_text(browser, "alert_feed", card_selector, "ALA-0004")
    card = browser("text", selector=card_selector)
    assert "threshold 90" in card, card
    assert browser("count", selector=f"{card_selector} button") == 2  # admin: ack + resolve
    browser.screenshot("05-alert-feed")
    assert browser("consoleErrors") == []


async def test_a_partner_key_sees_no_monitor_identities_and_no_ops_actions(
    stack: Stack, browser: Browser
) -> None:
    post_turnout(stack, "ALA-0001", 960)  # also raises an alert at ALA-0001
    browser.sign_in(stack.dashboard, stack.keys["partner"])
    assert browser("text", selector='[data-testid="role"]').endswith("partner")
    browser("hash", hash="#/station/ALA-0001")
    wait_text(browser, "partner_station", '[data-testid="station-ballots"]', "960")
    wait_text(browser, "partner_station_alert", '[data-testid="station-page"]', "Abnormal turnout")
    assert browser("count", selector='[data-testid="monitors"]') == 0
    assert MONITOR_NAME not in browser("html")
    assert browser("count", selector="[data-alert] button") == 0
    browser.screenshot("06-partner-station")

    # The same page under a coordinator key names the monitor: the check above can fail.
    browser("evaluate", script="sessionStorage.clear()")
    browser.sign_in(stack.dashboard, stack.keys["coordinator"])
    browser("hash", hash="#/station/ALA-0001")
    wait_text(browser, "coordinator_monitors", '[data-testid="monitors"]', MONITOR_NAME)

    # A public key: no station-level navigation at all, and no error page.
    browser("evaluate", script="sessionStorage.clear()")
    browser.sign_in(stack.dashboard, stack.keys["public"])
    nav = browser("text", selector="header nav")
    assert "Regions" in nav
    assert "Stations" not in nav
    assert "Alerts" not in nav
    browser("hash", hash="#/station/ALA-0001")
    browser("waitSelector", selector='[data-testid="national-turnout"]')
    browser.screenshot("07-public-overview")


async def test_a_dropped_websocket_reconnects_and_catches_up(stack: Stack, browser: Browser) -> None:
    post_turnout(stack, "AKM-0002", 100)
    browser.sign_in(stack.dashboard, stack.keys["partner"])
    wait_text(browser, "before_drop", '[data-testid="national-ballots"]', "100 ballots")

    api = stack.services["api"]
    api.stop()
    browser("waitSelector", selector='[data-testid="connection"][data-status="reconnecting"]')
    browser.screenshot("08-reconnecting")
    # Sent while the dashboard has no connection: it must catch up once it is back.
    post_turnout(stack, "AKM-0003", 700)
    env = service_env(stack.shared, API_PORT=str(api.port))
    (stack.log_dir / "restarted").mkdir()
    with run_service("api", env, api.port, stack.log_dir / "restarted") as restarted:
        assert restarted.wait_ready(timeout=90).status_code == 200, restarted.log_tail()
        browser("waitSelector", selector='[data-testid="connection"][data-status="live"]', timeout=30_000)
        wait_text(browser, "after_reconnect", '[data-testid="national-ballots"]', "800 ballots")
        post_turnout(stack, "AKM-0004", 50)
        wait_text(browser, "live_after_reconnect", '[data-testid="national-ballots"]', "850 ballots")
        browser.screenshot("09-reconnected")
