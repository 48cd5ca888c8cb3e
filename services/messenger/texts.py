"""The text each recipient gets: the broadcast's, in their language when it was translated,
or a built-in one (check-in, credentials) from the catalog's sms book in their language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from services.common import monitor_texts
from services.common.contracts import events as ev

CHECKIN: Final = monitor_texts.by_language("monitor", "checkin")
CREDENTIALS: Final = monitor_texts.by_language("monitor", "credentials")


def render(
    kind: ev.BroadcastKind, text: str, translations: Mapping[str, str], language: str, link: str = ""
) -> str:
    """The recipient's text; `link` is their login link (credentials only)."""
    if kind is ev.BroadcastKind.CREDENTIALS:
        return monitor_texts.text("monitor", "credentials", language, link=link)
    if translated := translations.get(language):
        return translated
    if text or kind is ev.BroadcastKind.MESSAGE:
        return text
    return monitor_texts.text("monitor", "checkin", language)
