"""Every text an SMS reply is made of, in English, Russian and Kazakh: the `sms` book of the shared
message catalog (services/common/catalog/sms/{en,ru,kk}.json), keyed here by "section.key" with
{named} parameters.

A reply fits one SMS where it can; the budget of each key is tested with worst-case
parameters in tests/unit/ingest/test_sms_catalog.py (GSM-7: 160 characters, UCS-2 for
Cyrillic: 70). That is why these texts are their own, shorter than the dashboard's
(a violation's name, for one).
"""

from __future__ import annotations

from services.common import catalog
from services.common.catalog import Lang

LANGS: tuple[Lang, ...] = tuple(Lang)


def _flat(lang: Lang) -> dict[str, str]:
    book = catalog.table(lang, catalog.SMS)
    return {f"{section}.{key}": value for section, texts in book.items() for key, value in texts.items()}


TEXTS: dict[Lang, dict[str, str]] = {lang: _flat(lang) for lang in LANGS}


def language(value: str | None) -> Lang | None:
    """`value` as a language, None when it names none (a monitor without one chosen)."""
    return Lang(value) if value in LANGS else None


def text(lang: Lang, key: str, **params: object) -> str:
    """The text `key` in `lang` with its parameters filled in."""
    return TEXTS[lang][key].format_map(params)


def has(lang: Lang, key: str) -> bool:
    return key in TEXTS[lang]
