"""Every text of the credentials sheet, in English, Russian and Kazakh (cards are printed in
each monitor's language, the sheet's header in the operator's)."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("en", "ru", "kk")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "card_title": {
        "en": "pollwatch monitor card",
        "ru": "Карточка наблюдателя pollwatch",
        "kk": "pollwatch бақылаушы картасы",
    },
    "stations": {"en": "Polling stations", "ru": "Участки", "kk": "Сайлау учаскелері"},
    "region": {"en": "Region", "ru": "Регион", "kk": "Өңір"},
    "coordinator": {"en": "Coordinator", "ru": "Координатор", "kk": "Үйлестіруші"},
    "scan": {
        "en": "Scan with your phone's camera to open the monitor app, or open this link:",
        "ru": "Отсканируйте камерой телефона, чтобы открыть приложение наблюдателя, или откройте ссылку:",
        "kk": "Бақылаушы қосымшасын ашу үшін телефон камерасымен сканерлеңіз немесе сілтемені ашыңыз:",
    },
    "sms": {
        "en": "By SMS: send reports from your phone {phone}, e.g. T 0123 450. Send HELP for the codes.",
        "ru": "По SMS: отправляйте отчёты с телефона {phone}, например T 0123 450. Коды: отправьте HELP.",
        "kk": "SMS арқылы: есептерді {phone} телефонынан жіберіңіз, мысалы T 0123 450."
        " Кодтар: HELP жіберіңіз.",
    },
    "api": {
        "en": "HTTP API (for apps): header Authorization: Bearer followed by the code after t= in the link.",
        "ru": "HTTP API (для приложений): заголовок Authorization: Bearer и код после t= в ссылке.",
        "kk": "HTTP API (қосымшалар үшін): Authorization: Bearer тақырыбы және сілтемедегі t= кейінгі код.",
    },
    "private": {
        "en": "Keep this card private: whoever holds it can report in your name. Issued {date}.",
        "ru": "Никому не передавайте карточку: по ней можно отправлять отчёты от вашего имени."
        " Выдана {date}.",
        "kk": "Картаны ешкімге бермеңіз: ол арқылы сіздің атыңыздан есеп жіберуге болады."
        " Берілген күні {date}.",
    },
    "sheet_title": {
        "en": "Monitor credentials: {region} ({count})",
        "ru": "Данные для входа наблюдателей: {region} ({count})",
        "kk": "Бақылаушылардың кіру деректері: {region} ({count})",
    },
    "sheet_note": {
        "en": "Print, cut along the lines and hand each card to its monitor. Then destroy this file:"
        " it holds their login codes. Reissuing a card revokes the previous one.",
        "ru": "Распечатайте, разрежьте по линиям и передайте каждую карточку её наблюдателю. Затем удалите"
        " файл: в нём коды входа. Новая карточка отменяет прежнюю.",
        "kk": "Басып шығарып, сызық бойымен қиып, әр картаны өз бақылаушысына беріңіз. Содан кейін файлды"
        " жойыңыз: онда кіру кодтары бар. Жаңа карта бұрынғысын жояды.",
    },
}


def text(key: str, language: str, **params: object) -> str:
    """The text in `language` (English when it has none), with `params` filled in."""
    by_language = TEXTS[key]
    return by_language.get(language, by_language["en"]).format(**params)
