"""SMS typed on a Russian or Kazakh phone keyboard: any valid Latin message rewritten with
Cyrillic look-alikes is the same report (hypothesis), and real messages in each language parse
to what their writer meant, answered in their language (docs/sms.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import events as ev
from services.ingest import sms_replies
from services.ingest.sms_catalog import LANGS
from services.ingest.sms_commands import (
    SmsChecklist,
    SmsCommand,
    SmsError,
    SmsHelp,
    SmsIncident,
    SmsProtocol,
    SmsTurnout,
    StationRef,
)
from services.ingest.sms_grammar import parse_sms, read_sms
from services.ingest.sms_language import reply_language, text_language
from services.ingest.sms_reports import sms_report
from services.ingest.sms_vocabulary import LATIN_VIOLATIONS
from services.ingest.validation import Context

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CTX = Context(
    "mon-1",
    frozenset({"ALA-0123", "ALA-0456", "AKM-0777"}),
    {"ALA-0123": 1000, "ALA-0456": 800, "AKM-0777": 900},
    NOW,
    ev.Channel.SMS,
)
S123 = StationRef("", 123)
# Cyrillic letters that look like Latin ones (upper and lower case), and like digits.
LETTER_TWINS = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "УҮ", "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х",
    "y": "у",
}  # fmt: skip
DIGIT_TWINS = {"0": "ОоӨ", "1": "Іі", "3": "Зз", "6": "б"}


@st.composite
def look_alike(draw: st.DrawFn, word: str, digits: bool = True) -> str:
    """`word` with any of its letters (and digits) typed as a Cyrillic twin; not a б for a
    leading 6, where б is the tag Б (B) before a number."""
    out = []
    for i, c in enumerate(word):
        twins = LETTER_TWINS.get(c, "") + (DIGIT_TWINS.get(c, "") if digits else "")
        twins = twins.replace("б", "") if i == 0 else twins
        out.append(draw(st.sampled_from(c + twins)) if twins else c)
    return "".join(out)


@st.composite
def station_look_alike(draw: st.DrawFn, station: str) -> str:
    """A station code with look-alikes, except a 0 glued to the region's letters ("ALAO456"
    reads as region ALAO, in Latin too)."""
    prefix, hyphen, digits = station.rpartition("-") if "-" in station else (station[:3], "", station[3:])
    if not prefix.isalpha():
        return str(draw(look_alike(station)))
    keep = digits[:1] if not hyphen else ""
    return f"{draw(look_alike(prefix))}{hyphen}{keep}{draw(look_alike(digits[len(keep) :]))}"


@st.composite
def latin_messages(draw: st.DrawFn) -> list[tuple[str, bool]]:
    """A valid Latin message as (word, rewritable) pairs; free text is never rewritten, and
    the digits of checklist tags keep their Latin form (І there reads as И, yes)."""
    station = draw(st.sampled_from(["0123", "123", "0456", "ALA-0123", "ALA0456", "AKM-0777"]))
    form = draw(st.sampled_from("TVROCP"))
    words: list[tuple[str, bool]] = [(form, True), (draw(station_look_alike(station)), False)]
    if form == "T":
        words.append((str(draw(st.integers(0, 999))), True))
        if draw(st.booleans()):
            words.append((f"H{draw(st.integers(0, 99))}", True))
    elif form == "V":
        words.append((draw(st.sampled_from(sorted(LATIN_VIOLATIONS))), True))
        words.append((draw(st.sampled_from(["", "two packs", "Bus at 10:40"])), False))
    elif form in "ROC":
        if draw(st.booleans()):
            words.append(("".join(draw(st.lists(st.sampled_from("YN"), min_size=1, max_size=7))), True))
        else:
            for item in draw(st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True)):
                words.append((f"{item}{draw(st.sampled_from('YN'))}", False))
        words.append((draw(st.sampled_from(["", "seal broken"])), False))
    else:
        counts = draw(st.lists(st.integers(0, 3000), min_size=6, max_size=6))
        words += [(f"{tag}{n}", True) for tag, n in zip("RBGCVX", counts, strict=True)]
        for party in draw(st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True)):
            words.append((f"P{party}={draw(st.integers(0, 3000))}", True))
        words.append((draw(st.sampled_from(["COPY", "KY", "K1", "NOCOPY", "NC", "KN", "KO"])), True))
    return [(w, r) for w, r in words if w]


@settings(max_examples=400)
@given(st.data())
def test_a_latin_message_typed_with_cyrillic_look_alikes_is_the_same_report(data: st.DataObject) -> None:
    words = data.draw(latin_messages())
    latin = " ".join(w for w, _ in words)
    cyrillic = " ".join(data.draw(look_alike(w)) if rewrite else w for w, rewrite in words)
    expected, command = parse_sms(latin), parse_sms(cyrillic)
    assert not isinstance(expected, SmsError | SmsHelp), latin
    assert not isinstance(command, SmsError | SmsHelp), (latin, cyrillic, command)
    assert sms_report(command, CTX) == sms_report(expected, CTX), (latin, cyrillic)


def turnout(n: int, home: int = 0, station: StationRef = S123) -> SmsTurnout:
    return SmsTurnout(station, n, home)


def incident(kind: ev.ViolationType, text: str = "") -> SmsIncident:
    return SmsIncident(S123, kind, next(c for c, v in LATIN_VIOLATIONS.items() if v == kind), text)


def checklist(phase: ev.ChecklistPhase, answers: str, note: str = "") -> SmsChecklist:
    items = ev.CHECKLIST_ITEMS
    return SmsChecklist(S123, phase, {items[i]: a == "+" for i, a in enumerate(answers) if a != "."}, note)


def protocol(copy: bool, home: int = 0) -> SmsProtocol:
    counts = {"registered_voters": 1500, "ballots_received": 1500, "ballots_issued": 900, "ballots_cast": 898}
    counts |= {"valid_ballots": 880, "invalid_ballots": 18, "home_ballots_issued": home}
    return SmsProtocol(S123, counts, {"P01": 500, "P02": 380}, copy)


Vt, Ph = ev.ViolationType, ev.ChecklistPhase
# (text as a monitor types it, what it means, the language of the reply)
REAL_MESSAGES: list[tuple[str, SmsCommand, str]] = [
    # Russian keyboard, codes from the Latin card typed with the keys that look alike
    ("Т 0123 450", turnout(450), "ru"),
    ("т 0123 450 н12", turnout(450, 12), "ru"),
    ("Т0123 45О Н 12", turnout(450, 12), "ru"),
    ("Т О12З 4б0", turnout(460), "ru"),
    ("Т 0123 б450", turnout(450), "ru"),  # б before a number is the tag Б, not a 6
    ("В 0123 ВС", incident(Vt.BALLOT_STUFFING), "ru"),
    ("В 0123 СВ автобус у входа", incident(Vt.CAROUSEL_VOTING, "автобус у входа"), "ru"),
    ("Р 0123 Р1500 В1500 Г900 С898 Д880 Х18 Р1=500 Р2=380 СОРУ", protocol(True), "ru"),
    ("С 0123 ДДДДНДД", checklist(Ph.CLOSING, "++++-++"), "ru"),
    # Russian words and codes
    ("Я 0123 450 Н12", turnout(450, 12), "ru"),
    ("ЯВКА 0123 450", turnout(450), "ru"),
    ("Н 0123 ВБ двое с пачками", incident(Vt.BALLOT_STUFFING, "двое с пачками"), "ru"),
    ("НАРУШ 0123 КАРУСЕЛЬ", incident(Vt.CAROUSEL_VOTING), "ru"),
    ("нар 0123 нп не пускают к столу", incident(Vt.MONITOR_RESTRICTED, "не пускают к столу"), "ru"),
    ("Н 0123 НО", incident(Vt.NO_CLEAR_VIEW), "ru"),
    ("Н 0123 НК", incident(Vt.PROTOCOL_REFUSED), "ru"),
    ("Н 0123 ДР свет выключили", incident(Vt.OTHER, "свет выключили"), "ru"),
    ("О 0123 ДДДНДДД печать сорвана", checklist(Ph.OPENING, "+++-+++", "печать сорвана"), "ru"),
    ("О 0123 да да нет", checklist(Ph.OPENING, "++-"), "ru"),
    ("Г 0123 1Д 3Н", checklist(Ph.READINESS, "+.-"), "ru"),
    ("Р 0123 ДДД", checklist(Ph.READINESS, "+++"), "ru"),
    ("З 0123 ДДДДДДН", checklist(Ph.CLOSING, "++++++-"), "ru"),
    ("ПР 0123 Р1500 Б1500 Г900 С898 Д880 Х18 П1=500 П2=380 КОПИЯ", protocol(True), "ru"),
    ("П 0123 Р1500 Б1500 Г900 С898 Д880 Х18 Н5 П1=500 П2=380 НЕТ КОПИИ", protocol(False, 5), "ru"),
    ("П 0123 Р1500 Б1500 Г900 С898 Д880 Х18 П1=500 П2=380 копию не дали", protocol(False), "ru"),
    ("ПОМОЩЬ", SmsHelp(""), "ru"),
    ("помощь н", SmsHelp("V"), "ru"),
    # Kazakh, with the Kazakh letters and with their Russian look-alikes
    ("К 0123 450 Ү12", turnout(450, 12), "kk"),
    ("КЕЛУ 0123 450", turnout(450), "kk"),
    ("ҚАТЫСУ 0123 450", turnout(450), "kk"),
    ("катысу 0123 450 у12", turnout(450, 12), "kk"),
    ("Б 0123 БС екі адам бюллетень салды", incident(Vt.BALLOT_STUFFING, "екі адам бюллетень салды"), "kk"),
    ("БҰЗУ 0123 КР", incident(Vt.CAROUSEL_VOTING), "kk"),
    ("бузу 0123 ОД", incident(Vt.FAMILY_VOTING), "kk"),
    ("Б 0123 ҮД", incident(Vt.HOME_VOTING_ABUSE), "kk"),
    ("Б 0123 УД", incident(Vt.HOME_VOTING_ABUSE), "kk"),
    ("Б 0123 БК", incident(Vt.MONITOR_RESTRICTED), "kk"),
    ("Б 0123 ӘК", incident(Vt.ABNORMAL_TURNOUT), "kk"),
    ("Б 0123 ХК", incident(Vt.PROTOCOL_REFUSED), "kk"),
    ("Б 0123 ДҚ", incident(Vt.BALLOT_SECRECY), "kk"),
    ("Б 0123 ДК", incident(Vt.BALLOT_SECRECY), "kk"),
    ("Б 0123 ӨЗ", incident(Vt.OTHER), "kk"),
    ("Б 0123 ОЗ", incident(Vt.OTHER), "kk"),
    ("А 0123 ИИИЖИИИ", checklist(Ph.OPENING, "+++-+++"), "kk"),
    ("Ашылу 0123 иә иә жоқ", checklist(Ph.OPENING, "++-"), "kk"),
    ("АШЫЛУ 0123 ИА ИА ЖОК", checklist(Ph.OPENING, "++-"), "kk"),
    ("Ж 0123 1И 7Ж", checklist(Ph.CLOSING, "+.....-"), "kk"),
    ("Д 0123 ИИИ", checklist(Ph.READINESS, "+++"), "kk"),
    ("Х 0123 Р1500 Б1500 Г900 С898 Ж880 Х18 П1=500 П2=380 КӨШІРМЕ", protocol(True), "kk"),
    ("Х 0123 Р1500 Б1500 Г900 С898 Ж880 Х18 Ү5 П1=500 П2=380 КӨШІРМЕ ЖОҚ", protocol(False, 5), "kk"),
    ("хаттама 0123 Р1500 Б1500 Г900 С898 Ж880 Х18 П1=500 П2=380 КОШIРМЕ БАР", protocol(True), "kk"),
    ("КӨМЕК", SmsHelp(""), "kk"),
    ("комек б", SmsHelp("V"), "kk"),
    # Latin stays English
    ("T 0123 450 H12", turnout(450, 12), "en"),
    ("V 0123 BS", incident(Vt.BALLOT_STUFFING), "en"),
    ("V 0123 BS два пакета", incident(Vt.BALLOT_STUFFING, "два пакета"), "ru"),
]


@pytest.mark.parametrize(("text", "meant", "lang"), REAL_MESSAGES)
def test_real_messages_mean_what_their_writer_meant(text: str, meant: SmsCommand, lang: str) -> None:
    reading = read_sms(text)
    assert reading.command == meant
    assert text_language(text, reading.kazakh) == lang


def test_a_cyrillic_station_prefix_names_the_latin_station() -> None:
    command = parse_sms("Т АКМ-0777 300")
    assert isinstance(command, SmsTurnout)
    report = sms_report(command, CTX)
    assert isinstance(report, ev.Report)
    assert report.station_id == "AKM-0777"
    sounded = parse_sms("Т АЛА-0123 300")  # Л sounds like L
    assert isinstance(sounded, SmsTurnout)
    assert sms_report(sounded, CTX).station_id == "ALA-0123"  # type: ignore[union-attr]


def test_the_language_chosen_for_a_monitor_wins_over_the_text() -> None:
    assert reply_language("kk", "T 0123 450", False) == "kk"
    assert reply_language("en", "Т 0123 450", False) == "en"
    assert reply_language(None, "Т 0123 450", False) == "ru"
    assert reply_language(None, "Т 0123 450", True) == "kk"
    assert reply_language(None, "Т 0123 450 Ү12", False) == "kk"  # Ү: only Kazakh has it
    assert reply_language(None, "T 0123 450", False) == "en"


cyrillic_words = st.from_regex(
    r"[ТВРОСПНЯКБХДАЖЗГҚтврос0?]{1,3} ?[0-9ОоЗзбІі]{0,5}( [ВБНХҮДЖРГСИУЯКОЕТЪ0-9ОЗбІ=:]{1,6}){0,9}",
    fullmatch=True,
)


@settings(max_examples=500)
@given(cyrillic_words | st.text(alphabet="ТВРОСПНЯКБХДАЖЗҚӨҮІӘ0123456789бзо=:- ", max_size=60))
def test_any_cyrillic_text_gives_a_command_or_an_error_worded_in_every_language(text: str) -> None:
    reading = read_sms(text)
    command = reading.command
    if isinstance(command, SmsHelp):
        assert all(sms_replies.help_text(command.topic, lang) for lang in LANGS)
        return
    result = command if isinstance(command, SmsError) else sms_report(command, CTX)
    for lang in LANGS:
        reply = (
            sms_replies.rejected(result, lang)
            if isinstance(result, SmsError)
            else sms_replies.accepted(result, lang)
        )
        assert "{" not in reply, reply
