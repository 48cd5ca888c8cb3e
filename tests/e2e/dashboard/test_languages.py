"""The dashboard in English, Russian and Kazakh, in headless Chromium against the real stack.

Reports raising long alerts (an inconsistent protocol, grave incidents, an abnormal turnout) go to
ingest over HTTP; then, in each language, every main view is read for English left untranslated
(registry names, codes and a few proper nouns allowed) and checked for horizontal overflow at
360, 1024 and 1440 px. The overview in kk and ru is saved as docs/img/overview-{kk,ru}.png's source
(artifacts/screenshots/lang-overview-*.png).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import asyncpg
import pytest

from services.aggregator.forensics_sink import rows, write_forensics
from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import MONITOR_NAME, REGISTRY, Stack, post_report
from tests.e2e.dashboard.test_forensics_page import snapshot
from tests.support.waits import PIPELINE_MS

pytestmark = pytest.mark.e2e
# Generous: figures usually show within seconds, but a loaded 2-core machine starts the stack slowly.
TIMEOUT_MS = PIPELINE_MS
WIDTHS = (360, 1024, 1440)
VIEWS = {
    "overview": ("#/", '[data-testid="kpi-turnout"] .big'),
    "regions": ("#/regions", 'tr[data-region="ALA"]'),
    "stations": ("#/stations", "[data-station]"),
    "station": ("#/station/ALA-0005", '[data-testid="protocol-problems"]'),
    "alerts": ("#/alerts", '[data-testid="alert-feed"] [data-rule="protocol_inconsistent"]'),
    "forensics": ("#/forensics", '[data-testid="fx-verdict"]'),
    "findings": ("#/findings", '[data-testid="findings-table"] tr[data-region="ALA"]'),
    "readiness": ("#/readiness", '[data-testid="readiness-table"] tr[data-region="ALA"]'),
}
# Latin words right in every language: the product, the switcher's language names, key names.
ALLOWED = {"pollwatch", "English", "API", "Shift", "Home", "End"}
# Registry names are data, as the registry spells them; `pollwatch forensics` is a command.
NAMES = {r.name for r in REGISTRY.regions} | {s.name for s in REGISTRY.stations} | {MONITOR_NAME}
NAMES |= {"pollwatch forensics"}
DATA_NAMES = sorted(NAMES, key=len, reverse=True)

# Visible text and the title / aria-label a reader meets, leaving out data (codes in .mono and <code>,
# names marked data-i18n-data).
VISIBLE_TEXT = """(() => {
  const skip = (el) => el.closest('[data-i18n-data], code, .mono, script, style');
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (el && !skip(el) && shown(el) && n.textContent.trim()) out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[title], [aria-label]')) {
    if (skip(el) || !shown(el)) continue;
    for (const a of ['title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out;
})()"""

# What sticks out to the right of the viewport (the page scrolls sideways), outside boxes that scroll
# or clip on their own (a wide table in its scroll box is fine).
OVERFLOW = """(async () => {
  // Charts and the heatmap size themselves on ResizeObserver callbacks: let them run first.
  for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)));
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let p = el.parentElement, contained = false;
    for (; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') { contained = true; break; }
    }
    const text = (el.textContent || '').trim().slice(0, 60);
    const what = `${el.tagName.toLowerCase()}.${el.className}`;
    if (!contained) out.push(`${what} right=${Math.round(r.right)}: ${text}`);
  }
  return { scrollWidth: document.documentElement.scrollWidth, viewport: vw, offenders: out.slice(0, 8) };
})()"""


def raise_alerts(stack: Stack) -> None:
    """Turnout everywhere; an abnormal turnout, grave incidents and a protocol failing four checks."""
    for i, station in enumerate(s.id for s in REGISTRY.stations):
        turnout = {"ballots_issued": 300 + 10 * i, "home_voting_applications": 4}
        post_report(stack, station, {"turnout": turnout})
    post_report(stack, "ALA-0004", {"turnout": {"ballots_issued": 950, "home_voting_applications": 4}})
    for violation in ("ballot_stuffing", "carousel_voting", "monitor_restricted"):
        post_report(stack, "AKM-0002", {"incident": {"violation": violation, "description": ""}})
    protocol = {
        "registered_voters": 1000, "ballots_received": 1000, "ballots_issued": 1100,
        "ballots_cast": 1150, "valid_ballots": 1000, "invalid_ballots": 20,
        "votes": {"P01": 700, "P02": 250}, "copy_received": False,
    }  # fmt: skip
    post_report(stack, "ALA-0005", {"protocol": protocol})


def english_left(texts: list[str]) -> list[str]:
    found: set[str] = set()
    for text in texts:
        for name in DATA_NAMES:
            text = text.replace(name, " ")
        found |= {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}
    return sorted(found)


def open_view(browser: Browser, name: str) -> None:
    hash_, ready = VIEWS[name]
    browser("hash", hash=hash_)
    browser("waitSelector", selector=ready, timeout=TIMEOUT_MS)


def choose(browser: Browser, lang: str) -> None:
    browser("select", selector='[data-testid="language"]', value=lang)
    browser("waitSelector", selector=f'html[lang="{lang}"]', state="attached")


async def test_every_view_in_each_language_has_no_english_left_and_no_sideways_overflow(
    stack: Stack, browser: Browser, db: asyncpg.Connection
) -> None:
    raise_alerts(stack)
    browser.sign_in(stack.dashboard, stack.keys["admin"])
    browser("waitSelector", selector='[data-alert][data-rule="protocol_inconsistent"]', timeout=TIMEOUT_MS)
    browser("waitSelector", selector='[data-alert][data-rule="grave_incident"]', timeout=TIMEOUT_MS)
    # Forensics figures as the aggregator writes them, newer than its own evaluation of one protocol.
    await write_forensics(db, rows(snapshot(), datetime.now(UTC), 4.0, 200))

    problems: list[str] = []
    for lang in ("en", "ru", "kk"):
        choose(browser, lang)
        for name in VIEWS:
            browser("viewport", width=1440, height=900)
            open_view(browser, name)
            if lang != "en":
                left = english_left(browser("evaluate", script=VISIBLE_TEXT))
                if left:
                    problems.append(f"{lang} {name}: English left: {left}")
            for width in WIDTHS:
                browser("viewport", width=width, height=900)
                seen = browser("evaluate", script=OVERFLOW)
                if seen["scrollWidth"] > seen["viewport"] or seen["offenders"]:
                    problems.append(f"{lang} {name} at {width} px: {seen}")
                if width == 360 or seen["offenders"]:
                    browser.screenshot(f"lang-{lang}-{name}-{width}")
        browser("viewport", width=1024, height=800)
        open_view(browser, "overview")
        browser.screenshot(f"lang-overview-{lang}")
    assert problems == [], "\n".join(problems)
    assert browser("consoleErrors") == []


async def test_alerts_rules_and_violations_read_in_the_chosen_language_which_the_browser_remembers(
    stack: Stack, browser: Browser
) -> None:
    raise_alerts(stack)
    browser.sign_in(stack.dashboard, stack.keys["partner"])
    choose(browser, "ru")
    open_view(browser, "alerts")
    grave = browser("text", selector='[data-rule="grave_incident"]')
    assert "Грубое нарушение" in grave
    assert "Вброс бюллетеней: сообщил один наблюдатель" in grave
    inconsistent = browser("text", selector='[data-rule="protocol_inconsistent"] .alert-msg')
    assert "Бюллетеней в ящиках (1\u00a0150) больше, чем выдано (1\u00a0100)" in inconsistent
    open_view(browser, "station")
    assert "Выдано бюллетеней (1\u00a0100) больше, чем избирателей в списке (1\u00a0000)" in browser(
        "text", selector='[data-testid="protocol-problems"]'
    )
    browser("hash", hash="#/station/AKM-0002")
    browser("waitText", selector='[data-testid="station-page"]', contains="«Карусель»", timeout=TIMEOUT_MS)

    # Remembered: a reload (the key is kept in the tab) comes back in Russian, numbers included.
    browser("evaluate", script="location.reload()")
    browser("waitSelector", selector='[data-testid="connection"][data-status="live"]', timeout=TIMEOUT_MS)
    assert browser("attr", selector="html", name="lang") == "ru"
    assert browser("evaluate", script="localStorage.getItem('pollwatch.lang')") == "ru"
    assert browser("text", selector="header nav").startswith("Обзор")
    # Numbers in Russian: the station page reads its figures afresh after the reload.
    open_view(browser, "station")
    browser("waitText", selector='[data-testid="station-turnout"]', contains=",", timeout=TIMEOUT_MS)
    turnout = browser("text", selector='[data-testid="station-turnout"]')
    assert re.fullmatch(r"\d+,\d\d[\u00a0\u202f ]%", turnout), turnout


async def test_the_dashboard_starts_in_the_browsers_language(stack: Stack) -> None:
    post_report(stack, "ALA-0001", {"turnout": {"ballots_issued": 345, "home_voting_applications": 4}})
    kazakh = Browser(locale="kk-KZ")
    try:
        kazakh("goto", url=stack.dashboard)
        kazakh("waitSelector", selector='html[lang="kk"]', state="attached")
        assert kazakh("text", selector="#main h2") == "API кілтімен кіру"
        kazakh.sign_in(stack.dashboard, stack.keys["public"])
        assert kazakh("text", selector="header nav").startswith("Шолу")
        # Kazakh numbers (decimal comma), though Chromium's own data has none for Kazakh.
        kazakh("waitText", selector='[data-testid="national-turnout"]', contains=",", timeout=TIMEOUT_MS)
        turnout = kazakh("text", selector='[data-testid="national-turnout"]')
        assert re.fullmatch(r"\d+,\d\d%", turnout), turnout
    finally:
        kazakh.close()
