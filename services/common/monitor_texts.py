"""The fixed texts a monitor is sent or handed, outside the replies to their reports: the
check-in prompt and its acknowledgement, the login-link SMS (section `monitor`) and the
credentials card (section `card`). They live in the catalog's sms book
(services/common/catalog/sms/{en,ru,kk}.json) and are picked by the monitor's language."""

from __future__ import annotations

from typing import Final

from services.common import catalog
from services.common.catalog import Lang

LANGUAGES: Final = tuple(lang.value for lang in Lang)
SECTIONS: Final = ("monitor", "card")


def by_language(section: str, key: str) -> dict[str, str]:
    """The text's template in each language (KeyError when the catalog lacks it in one)."""
    return {lang.value: catalog.table(lang, catalog.SMS)[section][key] for lang in Lang}


def text(section: str, key: str, language: str | None, **params: object) -> str:
    """The text in `language` (English when it names none of ours), `params` filled in."""
    lang = Lang(language) if language in LANGUAGES else Lang.EN
    return catalog.table(lang, catalog.SMS)[section][key].format_map(params)
