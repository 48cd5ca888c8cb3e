"""The credentials sheet: a card per monitor in their language, its QR code the login link."""

from __future__ import annotations

import re
from datetime import date

import segno

from services.common.monitors.card_texts import LANGUAGES, TEXTS
from services.common.monitors.sheet import Card, render_sheet
from services.common.monitors.tokens import login_link

LINK = login_link("https://ingest.example.org/", "pw_" + "x" * 43)


def card(language: str | None, name: str = "Aigerim <Bekova>") -> Card:
    return Card("mon-1", name, "+77011234567", ("ALA-0001",), language, "Almaty", "Dana", LINK)


def test_each_card_speaks_its_monitors_language() -> None:
    html = render_sheet("Almaty", [card("kk"), card("ru"), card("en")], date(2024, 3, 1))
    sections = re.findall(r'<section class="card" lang="(\w+)".*?</section>', html, re.S)
    assert sections == ["kk", "ru", "en"]
    for language in LANGUAGES:
        assert TEXTS["stations"][language] in html


def test_a_monitor_without_a_language_gets_the_sheets() -> None:
    html = render_sheet("Almaty", [card(None), card("kk")], date(2024, 3, 1), "ru")
    sections = re.findall(r'<section class="card" lang="(\w+)".*?</section>', html, re.S)
    assert sections == ["ru", "kk"]


def test_link_and_qr_code_and_no_clear_phone() -> None:
    html = render_sheet("Almaty", [card("ru")], date(2024, 3, 1))
    assert LINK == "https://ingest.example.org/m/#t=pw_" + "x" * 43
    assert LINK in html
    expected_qr = segno.make(LINK, error="m", micro=False).svg_inline(scale=3, border=2)
    assert expected_qr in html
    assert "+77011234567" not in html  # masked on the card
    assert "+770******67" in html


def test_names_are_escaped_and_the_page_is_print_styled() -> None:
    html = render_sheet("Almaty", [card("en")], date(2024, 3, 1))
    assert "Aigerim &lt;Bekova&gt;" in html
    assert "@page { size: A4" in html
    assert "break-inside: avoid" in html


def test_every_text_has_all_three_languages() -> None:
    assert all(set(by_language) == set(LANGUAGES) for by_language in TEXTS.values())
