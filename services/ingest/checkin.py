"""Check-in replies: "OK" (or ДА / ИӘ / ОК) to "reply OK when you are at your station".

Kept apart from the report grammar (sms_grammar.py) on purpose: a reply of one word, taken
whole, so it can never be mistaken for a report, and a report never for it. Latin and Cyrillic
look-alikes count the same ("OK" typed with a Cyrillic О or К).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg

from services.common import monitor_texts
from services.ingest.auth import STORE_DOWN
from services.ingest.errors import UnavailableError

# Cyrillic letters a phone may put in place of their Latin twins.
_LOOKALIKES = str.maketrans({"о": "o", "к": "k"})
# OK in any script; "yes" in Russian (да) and Kazakh (иә, also written ия).
WORDS: Final = frozenset({"ok", "да", "иә", "ия"})
_TRAILING = " \t\r\n.!,;:"

# The acknowledgement, from the catalog's sms book.
REPLY: Final = monitor_texts.by_language("monitor", "checkin_ack")


def is_checkin(text: str) -> bool:
    """True when the whole text is a check-in word (any case, trailing punctuation allowed)."""
    word = text.strip(_TRAILING).casefold().translate(_LOOKALIKES)
    return word in WORDS


def language_of(text: str) -> str:
    """The language a check-in word is written in: Latin OK is English, ДА and Cyrillic ОК
    Russian, ИӘ / ИЯ Kazakh."""
    word = text.strip(_TRAILING).casefold()
    if word in ("иә", "ия"):
        return "kk"
    return "en" if word.isascii() else "ru"


def reply(lang: str | None, text: str) -> str:
    """The answer, in the monitor's language (`lang`), else in the language of their `text`."""
    return REPLY[lang or language_of(text)]


class Checkins:
    """Where check-ins are kept: table monitor_checkins, one row per reply."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, monitor_id: str, at: datetime, channel: str = "sms") -> None:
        """Raises UnavailableError when PostgreSQL cannot take it (the gateway then retries)."""
        try:
            await self._pool.execute(
                "INSERT INTO monitor_checkins (monitor_id, at, channel) VALUES ($1, $2, $3)",
                monitor_id,
                at,
                channel,
            )
        except STORE_DOWN as exc:
            raise UnavailableError("check-in store unreachable") from exc
