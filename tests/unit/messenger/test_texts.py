"""Each recipient's text: translated where it can be, the built-in texts in three languages."""

from __future__ import annotations

from services.common.contracts import events as ev
from services.messenger.texts import CHECKIN, CREDENTIALS, render

MESSAGE = ev.BroadcastKind.MESSAGE
TRANSLATIONS = {"ru": "Сообщите явку", "kk": "Белсенділікті хабарлаңыз"}


def test_the_recipients_language_else_the_default_text() -> None:
    assert render(MESSAGE, "Report turnout", TRANSLATIONS, "ru") == "Сообщите явку"
    assert render(MESSAGE, "Report turnout", TRANSLATIONS, "kk") == "Белсенділікті хабарлаңыз"
    assert render(MESSAGE, "Report turnout", TRANSLATIONS, "en") == "Report turnout"


def test_check_in_has_a_built_in_text_in_each_language() -> None:
    for language in ("en", "ru", "kk"):
        assert render(ev.BroadcastKind.CHECKIN, "", {}, language) == CHECKIN[language]
    assert "OK" in CHECKIN["en"]
    assert "ДА" in CHECKIN["ru"]
    assert "ИӘ" in CHECKIN["kk"]
    assert render(ev.BroadcastKind.CHECKIN, "Reply OK at 7:00", {}, "kk") == "Reply OK at 7:00"


def test_credentials_carry_the_link_in_the_monitors_language() -> None:
    link = "https://ingest.example.org/m/#t=pw_abc"
    for language in ("en", "ru", "kk"):
        text = render(ev.BroadcastKind.CREDENTIALS, "", {}, language, link)
        assert text == CREDENTIALS[language].format(link=link)
        assert link in text
