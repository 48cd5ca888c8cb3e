"""Every text of the credentials sheet, in English, Russian and Kazakh, from the `card` section
of the catalog's sms book (cards are printed in each monitor's language, the sheet's header in
the operator's)."""

from __future__ import annotations

from typing import Final

from services.common import catalog, monitor_texts
from services.common.catalog import Lang

LANGUAGES: Final = monitor_texts.LANGUAGES
# key -> language -> template: the `card` section of the catalog's sms book.
TEXTS: Final[dict[str, dict[str, str]]] = {
    key: monitor_texts.by_language("card", key) for key in catalog.table(Lang.EN, catalog.SMS)["card"]
}


def text(key: str, language: str, **params: object) -> str:
    """The text in `language` (English when it has none), with `params` filled in."""
    by_language = TEXTS[key]
    return by_language.get(language, by_language["en"]).format(**params)
