"""The text each recipient gets: the broadcast's, in their language when it was translated,
or a built-in one (check-in, credentials) in English, Russian or Kazakh."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from services.common import events as ev

CHECKIN: Final = {
    "en": "pollwatch: reply OK when you are at your polling station.",
    "ru": "pollwatch: ответьте ДА, когда будете на своём участке.",
    "kk": "pollwatch: учаскеге келгенде ИӘ деп жауап беріңіз.",
}
CREDENTIALS: Final = {
    "en": "pollwatch: your login link {link} Keep it to yourself; earlier links no longer work.",
    "ru": "pollwatch: ваша ссылка для входа {link} Никому её не передавайте; прежние ссылки не действуют.",
    "kk": "pollwatch: кіру сілтемеңіз {link} Ешкімге бермеңіз; бұрынғы сілтемелер енді жарамайды.",
}


def _in(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def render(
    kind: ev.BroadcastKind, text: str, translations: Mapping[str, str], language: str, link: str = ""
) -> str:
    """The recipient's text; `link` is their login link (credentials only)."""
    if kind is ev.BroadcastKind.CREDENTIALS:
        return _in(CREDENTIALS, language).format(link=link)
    if translated := translations.get(language):
        return translated
    if text or kind is ev.BroadcastKind.MESSAGE:
        return text
    return _in(CHECKIN, language)
