"""What people read about pollwatch's codes, in English, Russian and Kazakh: rule names, violation
types, checklist items and phases, alert texts (`events.AlertText`: a key and its parameters), and
the sentences of the preliminary statement (`pollwatch statement`).

One JSON catalog per language beside this module, and the dashboard's build imports the same files
(web/src/strings/catalog.ts), so the API (`Alert.messageFor`) and the page say the same thing.
A text only one surface shows is kept in a book of its own beside it (`sms/`: the replies to
monitors' texts, written to fit an SMS segment), loaded the same way but neither bundled into the
dashboard nor served by `messageCatalog`.
Templates hold `{name}` placeholders: a number is formatted for the language with CLDR's rules, as
the browser's Intl does ("1,234.5" in en, "1 234,5" in ru and kk); a string whose name is a catalog
section ("violation") is that section's text for the code; any other string goes in as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path

from babel import Locale

from services.common.contracts.events import AlertText


class Lang(StrEnum):
    EN = "en"
    RU = "ru"
    KK = "kk"


# Sections every language has, each a map of code -> text.
SECTIONS = ("rule", "violation", "checklist", "phase", "alert", "statement", "verification")
CLEARED = "cleared"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DIR = Path(__file__).parent


# Books beside the shared catalog, each a folder of en/ru/kk.json with sections of its own.
SMS = "sms"


@cache
def table(lang: Lang, book: str = "") -> Mapping[str, Mapping[str, str]]:
    """The whole catalog of one language, or one `book` of it: section -> code -> text."""
    loaded: dict[str, dict[str, str]] = json.loads((_DIR / book / f"{lang.value}.json").read_text("utf-8"))
    return loaded


def text(section: str, code: str, lang: Lang) -> str:
    """The text for `code` in `section`: English when `lang` lacks it, the code spaced out when no
    language has it (a rule or violation added without catalog entries still reads)."""
    for source in (lang, Lang.EN):
        found = table(source).get(section, {}).get(code)
        if found:
            return found
    return code.replace("_", " ")


def render(item: AlertText, lang: Lang, section: str = "alert") -> str:
    """One sentence in `lang`: an alert's, or another section's (the statement's)."""

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in item.params:
            return m.group(0)
        value = item.params[name]
        if isinstance(value, str):
            return text(name, value, lang) if name in SECTIONS else value
        return number(value, lang)

    return PLACEHOLDER.sub(fill, text(section, item.key, lang))


def message(texts: Iterable[AlertText], lang: Lang, *, resolved: bool = False) -> str:
    """An alert's whole message: its sentences joined, marked as cleared once it resolved."""
    body = "; ".join(render(t, lang) for t in texts)
    return cleared(body, lang) if resolved else body


def cleared(body: str, lang: Lang) -> str:
    """A resolved alert's message, from the one it had while open."""
    return render(AlertText(CLEARED, {"message": body}), lang)


def number(value: float, lang: Lang) -> str:
    """Up to two decimals (the rules round their figures first), with the language's CLDR symbols.

    Python's own formatting with babel's symbols swapped in: babel's pattern formatting costs ~10 µs a
    number, and an alert storm (every station silent at once) renders tens of thousands of messages."""
    plain = f"{value:,.2f}".rstrip("0").rstrip(".")
    return plain.translate(_symbols(lang))


def placeholders(template: str) -> frozenset[str]:
    return frozenset(PLACEHOLDER.findall(template))


@cache
def _symbols(lang: Lang) -> dict[int, str]:
    """Python's "," / "." / "-" -> the language's group, decimal and minus signs."""
    symbols = Locale.parse(lang.value).number_symbols["latn"]
    return str.maketrans({",": symbols["group"], ".": symbols["decimal"], "-": symbols["minusSign"]})
