"""The dashboard reads each station's times on its own clock, labelled with the zone where regions differ.

A replay of 15 January 2012: Aktobe was at UTC+5, Almaty (the election's zone) at UTC+6. The browser
itself runs on the machine's clock, which is neither.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from services.common.registry.stations import Region, Registry, Station
from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack, post_report, seed
from tests.support.waits import PIPELINE_MS

pytestmark = pytest.mark.e2e
TIMEOUT_MS = PIPELINE_MS
LAST_REPORT = '[data-testid="station-last-report-time"]'
OBSERVED = datetime(2012, 1, 15, 4, 5, 9, tzinfo=UTC)  # 09:05:09 in Aktobe, 10:05:09 in Almaty
ZONED = Registry(
    regions=(Region("ALA", "Almaty", "city"), Region("AKT", "Aktobe Region", "region", "Asia/Aqtobe")),
    stations=(Station("ALA-0001", "ALA", "School 1", 1000), Station("AKT-0001", "AKT", "School 2", 1000)),
)


@pytest.fixture
async def seeded(db: asyncpg.Connection) -> tuple[str, dict[str, str]]:
    return await seed(db, ZONED)


async def test_station_times_read_on_their_own_clock_with_the_zone(stack: Stack, browser: Browser) -> None:
    for station in ("AKT-0001", "ALA-0001"):
        # 95% turnout also opens an abnormal-turnout alert, whose card shows when it opened.
        body = {"turnout": {"ballots_issued": 950, "home_voting_applications": 5}}
        post_report(stack, station, body, observed_at=OBSERVED)
    browser.sign_in(stack.dashboard, stack.keys["admin"])
    browser("hash", hash="#/station/AKT-0001")
    browser("waitText", selector="[data-alert]", contains="Opened 09:05:09 UTC+5", timeout=TIMEOUT_MS)
    browser("waitText", selector=LAST_REPORT, contains="09:05:09 UTC+5", timeout=TIMEOUT_MS)
    browser.screenshot("local-time-aktobe")
    browser("hash", hash="#/station/ALA-0001")
    browser("waitText", selector=LAST_REPORT, contains="10:05:09 UTC+6", timeout=TIMEOUT_MS)
    assert browser("consoleErrors") == []
