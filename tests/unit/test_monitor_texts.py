"""Every fixed text a monitor is sent or handed (check-in prompt and acknowledgement, login-link
SMS, credentials card) is in the catalog's sms book in English, Russian and Kazakh, and every
key the code asks for is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.common import catalog, monitor_texts
from services.common.catalog import Lang
from services.ingest.checkin import is_checkin, language_of

ROOT = Path(__file__).resolve().parents[2]
# monitor_texts.text("monitor", "checkin", ...) / by_language("card", key) / card_texts' text("scan", ...)
_SECTION_KEY = re.compile(r"monitor_texts\.(?:text|by_language)\(\s*\"(\w+)\",\s*\"(\w+)\"")
_CARD_KEY = re.compile(r"\btext\([\"'](\w+)[\"']")


def used_keys() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in (ROOT / "services").rglob("*.py"):
        if "generated" in path.parts:
            continue
        source = path.read_text("utf-8")
        found |= set(_SECTION_KEY.findall(source))
    sheet = (ROOT / "services/common/monitors/sheet.py").read_text("utf-8")
    found |= {("card", key) for key in _CARD_KEY.findall(sheet)}
    return found


def test_the_code_asks_for_texts_of_both_sections() -> None:
    used = used_keys()
    assert {("monitor", "checkin"), ("monitor", "checkin_ack"), ("monitor", "credentials")} <= used
    assert {("card", "card_title"), ("card", "scan"), ("card", "private")} <= used


@pytest.mark.parametrize(("section", "key"), sorted(used_keys()))
def test_every_key_the_code_uses_exists_in_three_languages(section: str, key: str) -> None:
    texts = monitor_texts.by_language(section, key)
    assert set(texts) == {"en", "ru", "kk"}
    assert all(value.strip() for value in texts.values())


@pytest.mark.parametrize("section", monitor_texts.SECTIONS)
def test_each_section_has_the_same_keys_and_placeholders_in_every_language(section: str) -> None:
    english = catalog.table(Lang.EN, catalog.SMS)[section]
    for lang in (Lang.RU, Lang.KK):
        book = catalog.table(lang, catalog.SMS)[section]
        assert book.keys() == english.keys(), lang
        for key, value in book.items():
            assert catalog.placeholders(value) == catalog.placeholders(english[key]), (lang, key)
            assert any("\u0400" <= c <= "\u04ff" for c in value), (lang, key, value)


def test_the_check_in_prompt_asks_for_a_word_ingest_takes_as_a_check_in() -> None:
    asked = {
        lang: [w for w in re.findall(r"\w+", monitor_texts.text("monitor", "checkin", lang)) if w.isupper()]
        for lang in monitor_texts.LANGUAGES
    }
    assert asked == {"en": ["OK"], "ru": ["ДА"], "kk": ["ИӘ"]}
    assert {lang: (is_checkin(words[0]), language_of(words[0])) for lang, words in asked.items()} == {
        lang: (True, lang) for lang in monitor_texts.LANGUAGES
    }


def test_a_monitor_without_a_language_of_ours_reads_english() -> None:
    link = "https://ingest.example.org/m/#t=pw_abc"
    assert monitor_texts.text("monitor", "credentials", None, link=link) == monitor_texts.by_language(
        "monitor", "credentials"
    )["en"].format(link=link)
    assert monitor_texts.text("monitor", "checkin_ack", "de") == monitor_texts.text(
        "monitor", "checkin_ack", "en"
    )
