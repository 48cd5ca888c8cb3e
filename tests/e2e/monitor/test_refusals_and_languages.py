"""The monitor app keeps what the server refuses, lets it be resent or corrected, speaks kk and ru
throughout, and wipes the phone at sign-out (after a warning).

A report for a station the monitor was just taken off is refused (403, station_not_assigned); once
the assignment is back, one refused report is sent again as it was and the other is corrected
(a new report replaces it). docs/img/monitor-kk.png and monitor-ru.png are artifacts/screenshots/
monitor-kk-home.png and monitor-ru-protocol.png.
"""

from __future__ import annotations

import asyncio
import re
import time

import asyncpg
import pytest

from tests.e2e.dashboard.browser import SCREENSHOTS, Browser
from tests.e2e.dashboard.conftest import MONITOR_NAME, Stack
from tests.e2e.dashboard.test_languages import VISIBLE_TEXT
from tests.e2e.monitor.phone import ENTRY, STATION, TIMEOUT_MS, sign_in, states, submit, wait_states

pytestmark = pytest.mark.e2e
# ingest keeps a monitor's stations this long (INGEST_AUTH_CACHE_SECONDS' default), and a second more.
AUTH_CACHE_SECONDS = 6
# Latin words right in every language: the product and the switcher's own name for English.
ALLOWED = {"pollwatch", "English"}
OUTBOX_COUNT = """new Promise((ok) => {
  const r = indexedDB.open('pollwatch-monitor');
  r.onsuccess = () => {
    r.result.transaction('outbox').objectStore('outbox').count().onsuccess = (e) => ok(e.target.result);
  };
})"""


def untranslated(phone: Browser) -> list[str]:
    words = {w for text in phone("evaluate", script=VISIBLE_TEXT) for w in re.findall(r"[A-Za-z]{2,}", text)}
    return sorted(words - ALLOWED)


def in_language(phone: Browser, lang: str) -> None:
    phone("select", selector="#lang", value=lang)
    phone("waitSelector", selector=f'main[lang="{lang}"]')


async def test_refused_reports_are_kept_resent_or_corrected_in_kk_and_ru(
    stack: Stack, phone: Browser, db: asyncpg.Connection
) -> None:
    sign_in(phone, stack)
    monitor = await db.fetchval("SELECT id FROM monitors WHERE display_name = $1", MONITOR_NAME)
    phone("offline", offline=True)
    submit(phone, "turnout", {"#ballotsIssued": "100", "#homeVotingApplications": "1"})
    submit(phone, "turnout", {"#ballotsIssued": "120", "#homeVotingApplications": "2"})
    newest, oldest = phone(
        "evaluate", script=f"[...document.querySelectorAll('{ENTRY}')].map(e => e.dataset.id)"
    )
    await db.execute(
        "DELETE FROM monitor_stations WHERE monitor_id = $1 AND station_id = $2", monitor, STATION
    )
    await asyncio.sleep(AUTH_CACHE_SECONDS)
    phone("offline", offline=False)
    wait_states(phone, ["refused", "refused"])
    assert phone("text", selector=f"{ENTRY} [data-code]").startswith("вы не назначены на этот участок")

    for lang in ("kk", "ru"):
        in_language(phone, lang)
        assert untranslated(phone) == [], lang
    in_language(phone, "kk")
    phone.screenshot("monitor-kk-home")

    await db.execute(
        "INSERT INTO monitor_stations (monitor_id, station_id) VALUES ($1, $2)", monitor, STATION
    )
    await asyncio.sleep(AUTH_CACHE_SECONDS)
    phone("click", selector=f'{ENTRY}[data-id="{oldest}"] >> text=Қайта жіберу')  # send again, as it was
    phone("click", selector=f'{ENTRY}[data-id="{newest}"] >> text=Түзету')  # correct
    phone("waitSelector", selector='form[data-kind="turnout"]')
    assert phone("evaluate", script="document.querySelector('#ballotsIssued').value") == "120"
    phone("fill", selector="#ballotsIssued", value="121")
    phone("click", selector="#send")
    phone("waitSelector", selector="#station")
    wait_states(phone, ["sent", "sent"])
    ids = phone("evaluate", script=f"[...document.querySelectorAll('{ENTRY}')].map(e => e.dataset.id)")
    assert newest not in ids  # the corrected report replaced it
    assert oldest in ids
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    rows: list[asyncpg.Record] = []
    while time.monotonic() < deadline and len(rows) < 2:
        rows = await db.fetch("SELECT id, body FROM reports WHERE id = ANY($1::text[]) ORDER BY id", ids)
        await asyncio.sleep(0.5)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert await db.fetchval("SELECT count(*) FROM reports WHERE id = $1", newest) == 0

    in_language(phone, "ru")
    phone("click", selector='[data-form="protocol"]')
    for selector, value in {
        "#protocolBallotsIssued": "600",
        "#ballotsCast": "650",
        "#validBallots": "640",
    }.items():
        phone("fill", selector=selector, value=value)
    phone("fill", selector="#invalidBallots", value="5")
    phone("waitSelector", selector='[data-check="cast_exceeds_issued"]')
    assert untranslated(phone) == []
    phone("screenshot", path=str(SCREENSHOTS / "monitor-ru-protocol.png"), fullPage=True)
    phone("click", selector="text=Назад")

    phone("click", selector="#sign-out")  # the warning is answered yes: nothing is left unsent here
    phone("waitSelector", selector="#link")
    phone("reload")
    phone("waitSelector", selector="#link")
    assert states(phone) == []
    assert phone("evaluate", script=OUTBOX_COUNT) == 0
