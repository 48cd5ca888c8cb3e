"""How each Cyrillic letter and word is read in each place of an SMS: the decisions docs/sms.md
explains (look before sound, Н and Р by context) and every word its tables list."""

from __future__ import annotations

import pytest

from services.common.catalog import Lang
from services.common.contracts import events as ev
from services.ingest.sms_catalog import LANGS, text
from services.ingest.sms_commands import SmsChecklist, SmsHelp, SmsIncident, SmsProtocol, SmsTurnout
from services.ingest.sms_grammar import CHECKLIST_FORMS, parse_sms, read_sms
from services.ingest.sms_language import text_language
from services.ingest.sms_letters import fold
from services.ingest.sms_vocabulary import (
    FORMS,
    KK_VIOLATIONS,
    PROTOCOL_TAGS,
    RU_VIOLATIONS,
    TURNOUT_TAGS,
    VIOLATIONS,
    vocabulary,
)

Vt = ev.ViolationType
PROTOCOL = "Р1500 Б1500 Г900 С898 Д880 Х18 П1=500 КОПИЯ"


def form_of(text: str) -> str:
    command = parse_sms(text)
    kinds = {SmsTurnout: "T", SmsIncident: "V", SmsProtocol: "P", SmsHelp: "HELP"}
    if isinstance(command, SmsChecklist):
        return next(f for f, phase in CHECKLIST_FORMS.items() if phase == command.phase)
    return kinds.get(type(command), type(command).__name__)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Т 0123 450", "T"),  # looks like T
        ("С 0123 ДДД", "C"),  # looks like C (it sounds like S: no such form)
        ("В 0123 ВБ", "V"),  # looks like B, no such form: sounds like V
        (f"Р 0123 {PROTOCOL}", "P"),  # looks like P ...
        ("Р 0123 ДДДН", "R"),  # ... sounds like R: with checklist answers, readiness
        ("Н", "HELP"),  # looks like H, help ...
        ("Н 0123 ВБ", "V"),  # ... before a station, Russian нарушение
        ("Һ", "HELP"),
        (f"Х 0123 {PROTOCOL}", "P"),  # Kazakh хаттама, before the sound of H (help)
        ("О 0123 ДДД", "O"),
        ("0 0123 ДДД", "O"),
        ("З 0123 ДДД", "C"),  # Russian закрытие; З is 3 only where a number is expected
    ],
)
def test_a_form_letter_reads_by_its_look_then_its_sound_then_as_a_word(text: str, form: str) -> None:
    assert form_of(text) == form


@pytest.mark.parametrize(
    ("code", "violation"),
    [
        ("ВS", Vt.BALLOT_STUFFING),  # B by look
        ("ВС", Vt.BALLOT_STUFFING),  # B by look, S by sound
        ("СВ", Vt.CAROUSEL_VOTING),  # C by look, V by sound
        ("НВ", Vt.HOME_VOTING_ABUSE),  # HV by look beats NV by sound
        ("РР", Vt.PROTOCOL_REFUSED),
        ("ПР", Vt.PROTOCOL_REFUSED),
        ("СС", Vt.BALLOT_SECRECY),
        ("ОТ", Vt.OTHER),
        ("0Т", Vt.OTHER),
        ("В5", Vt.BALLOT_STUFFING),
    ],
)
def test_latin_violation_codes_typed_in_cyrillic(code: str, violation: ev.ViolationType) -> None:
    assert VIOLATIONS[fold(code.replace("0", "O").replace("5", "S"))].meaning == violation


def test_tags_read_by_look_where_two_tags_compete() -> None:
    assert {c: PROTOCOL_TAGS[c].meaning for c in "РВБГСДЖХН"} == {
        "Р": "R",  # looks like P, which is no tag
        "В": "B",  # looks like B, though it sounds like V
        "Б": "B",
        "Г": "G",
        "С": "C",
        "Д": "V",  # действительные
        "Ж": "V",  # жарамды
        "Х": "X",  # looks like X, though it sounds like H
        "Н": "H",
    }
    assert {c: TURNOUT_TAGS[fold(c)].meaning for c in "ВБНХҮУһ"} == dict.fromkeys("ВБ", "B") | dict.fromkeys(
        "НХҮУһ", "H"
    )


@pytest.mark.parametrize(("word", "violation"), [*RU_VIOLATIONS.items(), *KK_VIOLATIONS.items()])
def test_every_russian_and_kazakh_violation_word_is_read(word: str, violation: ev.ViolationType) -> None:
    for typed in {word, word.lower(), word[:3] if len(word) > 3 else word, fold(word)}:
        command = parse_sms(f"В 0123 {typed}")
        assert isinstance(command, SmsIncident), typed
        assert command.violation == violation, typed


def test_kazakh_words_typed_with_russian_letters_still_read_as_kazakh() -> None:
    for typed in ("ҚАТЫСУ 0123 1", "КАТЫСУ 0123 1", "катысу 0123 1"):
        reading = read_sms(typed)
        assert isinstance(reading.command, SmsTurnout)
        assert reading.kazakh
    assert read_sms("КОМЕК").kazakh
    assert not read_sms("ПОМОЩЬ").kazakh
    assert not read_sms("В 0123 КР").kazakh  # карусель: both languages say it


@pytest.mark.parametrize("lang", LANGS)
def test_the_codes_replies_and_help_teach_are_understood(lang: Lang) -> None:
    for kind in Vt:
        command = parse_sms(f"V 0123 {text(lang, f'code.{kind.value}')}")
        assert isinstance(command, SmsIncident)
        assert command.violation == kind
    for form in "TVROCP":
        sample = text(lang, f"sample.{form}")  # the example HELP and refusals give
        assert form_of(sample) == form
        assert text_language(sample, read_sms(sample).kazakh) == lang, sample  # in that language's codes
        assert FORMS[fold(text(lang, f"letter.{form}"))].meaning in (form, "HELP")  # Н: help alone
    for tag in "RBGCVXH":
        assert PROTOCOL_TAGS[fold(text(lang, f"tag.P.{tag}"))].meaning == tag
    for tag in "BH":
        assert TURNOUT_TAGS[fold(text(lang, f"tag.T.{tag}"))].meaning == tag


def test_a_prefix_two_words_share_is_not_guessed() -> None:
    table = vocabulary({}, {"КАРТОЧКА": "card"}, {"КАРУСЕЛЬ": "carousel"}, prefixes=True)
    assert "КАР" not in table
    assert table["КАРТ"].meaning == "card"
    assert table["КАРУ"].meaning == "carousel"
    assert table["КАРУ"].kazakh
