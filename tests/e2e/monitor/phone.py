"""Driving the monitor app in the phone-sized Chromium of tests/e2e/dashboard/browser.py."""

from __future__ import annotations

import time

from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import Stack
from tests.support.waits import PIPELINE_MS

# Generous: a loaded 2-core machine runs the whole stack and Chromium at once.
TIMEOUT_MS = PIPELINE_MS
STATION = "ALA-0003"
ENTRY = '[data-testid="entry"]'
# Resolves once the service worker controls the page (it has cached the shell by then).
CONTROLLED = """navigator.serviceWorker.ready.then(() => new Promise((ok) => {
  if (navigator.serviceWorker.controller) ok(true);
  else navigator.serviceWorker.addEventListener('controllerchange', () => ok(true));
}))"""


def sign_in(phone: Browser, stack: Stack) -> None:
    """Opens the link a credential sheet prints; waits until the service worker has the shell."""
    phone("goto", url=f"{stack.services['ingest'].url}/m/#t={stack.monitor_token}")
    phone("waitSelector", selector="#station", timeout=TIMEOUT_MS)
    assert "#t=" not in phone("evaluate", script="location.href")  # the token leaves the address
    phone("select", selector="#station", value=STATION)
    phone("evaluate", script=CONTROLLED)


def states(phone: Browser) -> list[str]:
    return list(
        phone("evaluate", script=f"[...document.querySelectorAll('{ENTRY}')].map(e => e.dataset.state)")
    )


def wait_states(phone: Browser, expected: list[str]) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while (seen := states(phone)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert seen == expected


def submit(phone: Browser, kind: str, fill: dict[str, str] | None = None, answer_all: bool = False) -> None:
    before = phone("count", selector=ENTRY)
    phone("click", selector=f'[data-form="{kind}"]')
    phone("waitSelector", selector=f'form[data-kind="{kind}"]')
    if answer_all:
        for radio in range(phone("count", selector='input[type="radio"][value="yes"]')):
            phone("check", selector=f'fieldset.question >> nth={radio} >> input[value="yes"]')
    for selector, value in (fill or {}).items():
        phone("fill", selector=selector, value=value)
    phone("click", selector="#send")
    phone("waitSelector", selector="#station")
    assert phone("count", selector=ENTRY) == before + 1
