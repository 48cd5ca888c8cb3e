"""The monitor app's browser tests run on the dashboard tests' stack, in a phone-sized Chromium."""

from collections.abc import Iterator

import pytest

from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import browser_ready, seeded, stack

__all__ = ["browser_ready", "seeded", "stack"]


@pytest.fixture
def phone() -> Iterator[Browser]:
    b = Browser(width=412, height=915, locale="ru-RU")
    try:
        yield b
    finally:
        b.close()
