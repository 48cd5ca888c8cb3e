"""The SMS grammar: every form parses, sloppy typing is forgiven, any text gives a command or
an error the monitor can act on, never a crash (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.catalog import Lang
from services.common.contracts import events as ev
from services.ingest import sms_replies
from services.ingest.sms_catalog import LANGS
from services.ingest.sms_commands import (
    SmsChecklist,
    SmsError,
    SmsHelp,
    SmsIncident,
    SmsProtocol,
    SmsTurnout,
    StationRef,
)
from services.ingest.sms_grammar import parse_sms
from services.ingest.sms_reports import resolve_station, sms_report
from services.ingest.sms_vocabulary import LATIN_VIOLATIONS as VIOLATION_CODES
from services.ingest.validation import Context

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CTX = Context(
    "mon-1", frozenset({"ALA-0123", "ALA-0456"}), {"ALA-0123": 1000, "ALA-0456": 800}, NOW, ev.Channel.SMS
)
S123 = StationRef("", 123)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T 0123 450 H12", SmsTurnout(S123, 450, 12)),
        ("t 0123 450 h12", SmsTurnout(S123, 450, 12)),
        ("  T   0123\n450   H 12 ", SmsTurnout(S123, 450, 12)),
        ("T O123 45O H=l2", SmsTurnout(S123, 450, 12)),
        ("T0123 450", SmsTurnout(S123, 450, 0)),
        ("T 0123 B450 H:12", SmsTurnout(S123, 450, 12)),
        ("T ALA-0123 450", SmsTurnout(StationRef("ALA", 123), 450, 0)),
        ("T ala0123, 450", SmsTurnout(StationRef("ALA", 123), 450, 0)),
        ("V 0123 BS", SmsIncident(S123, ev.ViolationType.BALLOT_STUFFING, "BS")),
        ("V 0123 b5 two packs", SmsIncident(S123, ev.ViolationType.BALLOT_STUFFING, "BS", "two packs")),
        ("v 123 0t Lights  off", SmsIncident(S123, ev.ViolationType.OTHER, "OT", "Lights off")),
        (
            "O 0123 YN",
            SmsChecklist(
                S123, ev.ChecklistPhase.OPENING, {"station_ready": True, "voter_list_available": False}
            ),
        ),
        (
            "0 0123 yn",
            SmsChecklist(
                S123, ev.ChecklistPhase.OPENING, {"station_ready": True, "voter_list_available": False}
            ),
        ),
        (
            "R 0123 1Y 3N",
            SmsChecklist(
                S123,
                ev.ChecklistPhase.READINESS,
                {"station_ready": True, "monitor_allowed_to_observe": False},
            ),
        ),
        (
            "C 0123 IY2N note",
            SmsChecklist(
                S123,
                ev.ChecklistPhase.CLOSING,
                {"station_ready": True, "voter_list_available": False},
                "note",
            ),
        ),
        (
            "P 0123 R1000 B1000 G640 C638 V630 X8 P1=400 P2 = 230 COPY",
            SmsProtocol(
                S123,
                {
                    "registered_voters": 1000,
                    "ballots_received": 1000,
                    "ballots_issued": 640,
                    "ballots_cast": 638,
                    "valid_ballots": 630,
                    "invalid_ballots": 8,
                    "home_ballots_issued": 0,
                },
                {"P01": 400, "P02": 230},
                True,
            ),
        ),
        ("HELP", SmsHelp("")),
        ("? p", SmsHelp("P")),
    ],
)
def test_forms(text: str, expected: object) -> None:
    assert parse_sms(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("X 0123", "unknown_form"),
        ("T", "no_station"),
        ("T ?? 1", "bad_station"),
        ("T 0123", "no_ballots"),
        ("T 0123 1 2", "extra_number"),
        ("T 0123 1 zz", "not_understood"),
        ("T 0123 B1 B2", "repeated"),
        ("V 0123", "no_violation"),
        ("V 0123 QQ", "unknown_violation"),
        ("O 0123", "no_answers"),
        ("P 0123 R1 B1 G1 C1 V1 X1 COPY", "no_votes"),
        ("P 0123 R1 B1 G1 C1 V1 X1 P1=1", "no_copy"),
        ("P 0123 R1 B1", "missing"),
        ("P 0123 R1 R2 B1 G1 C1 V1 X1 P1=1 COPY", "repeated"),
        ("P 0123 1000", "not_understood"),
        ("T 0123 " + "9" * 2000, "too_long"),
    ],
)
def test_errors_say_what_is_wrong(text: str, code: str) -> None:
    result = parse_sms(text)
    assert isinstance(result, SmsError)
    assert result.code == code
    assert sms_replies.reason(result, Lang.EN)


def sloppy_number(draw: st.DrawFn, n: int) -> str:
    text = f"{n:04d}" if draw(st.booleans()) else str(n)
    swaps = {"0": ["0", "O", "o"], "1": ["1", "I", "l"]}
    return "".join(draw(st.sampled_from(swaps[c])) if c in swaps else c for c in text)


@st.composite
def turnout_texts(draw: st.DrawFn) -> tuple[str, SmsTurnout]:
    station = draw(st.integers(0, 9999))
    ballots = draw(st.integers(0, 99999))
    home = draw(st.integers(0, 999))
    space = st.sampled_from([" ", "  ", " \n ", ", "])
    form = draw(st.sampled_from(["T", "t"]))
    tag = draw(st.sampled_from(["H", "h", "H ", "H=", "h: "]))
    text = f"{form}{draw(space)}{sloppy_number(draw, station)}{draw(space)}{sloppy_number(draw, ballots)}"
    text += f"{draw(space)}{tag}{sloppy_number(draw, home)}{draw(st.sampled_from(['', ' ', '  ']))}"
    return text, SmsTurnout(StationRef("", station), ballots, home)


@given(turnout_texts())
def test_sloppy_turnout_texts_parse_to_what_was_meant(case: tuple[str, SmsTurnout]) -> None:
    text, expected = case
    assert parse_sms(text) == expected


@given(
    st.sampled_from(sorted(VIOLATION_CODES)), st.integers(0, 9999), st.text(alphabet="abc xyz", max_size=20)
)
def test_every_violation_code_parses(code: str, station: int, description: str) -> None:
    result = parse_sms(f"V {station} {code.lower()} {description}")
    assert result == SmsIncident(
        StationRef("", station), VIOLATION_CODES[code], code, " ".join(description.split())
    )


sms_alphabet = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]) | st.sampled_from(
    "TVROCP0Il=:, \n"
)


@settings(max_examples=600)
@given(
    st.text(alphabet=sms_alphabet, max_size=80)
    | st.from_regex(r"[TVROCPtvrocp0] [0-9OIl]{1,5}( [A-Za-z0-9=:]{1,6}){0,9}")
)
def test_any_text_gives_a_command_or_a_clear_error_never_a_crash(text: str) -> None:
    result = parse_sms(text)
    if isinstance(result, SmsError):
        assert result.code
        for lang in LANGS:
            assert sms_replies.rejected(result, lang).split()[0] in ("NOT", "НЕ", "ҚАБЫЛДАНБАДЫ.")
        return
    if isinstance(result, SmsHelp):
        assert all(sms_replies.help_text(result.topic, lang) for lang in LANGS)
        return
    report = sms_report(result, CTX)
    if isinstance(report, SmsError):
        assert all(sms_replies.rejected(report, lang) for lang in LANGS)
    else:
        assert report.channel is ev.Channel.SMS
        assert all(sms_replies.accepted(report, lang).startswith(("OK ", "ОК ")) for lang in LANGS)


def test_station_numbers_resolve_among_the_monitors_own_stations() -> None:
    mine = {"ALA-0123", "AKM-0123", "ALA-0456"}
    assert resolve_station(StationRef("", 456), mine).station_id == "ALA-0456"
    assert resolve_station(StationRef("AKM", 123), mine).station_id == "AKM-0123"
    ambiguous = resolve_station(StationRef("", 123), mine).error
    assert ambiguous is not None
    assert "Type the full code" in sms_replies.reason(ambiguous, Lang.EN)
    missing = resolve_station(StationRef("", 999), mine).error
    assert missing is not None
    assert missing.code == "station_not_assigned"


def test_a_resend_of_the_same_text_is_the_same_report_id() -> None:
    a = parse_sms("T 0123 450 H12")
    b = parse_sms("t  O123 45O h 12")
    assert isinstance(a, SmsTurnout)
    assert isinstance(b, SmsTurnout)
    first, second = sms_report(a, CTX), sms_report(b, CTX)
    assert isinstance(first, ev.Report)
    assert isinstance(second, ev.Report)
    assert first.id == second.id
    other = sms_report(SmsTurnout(S123, 451, 12), CTX)
    assert isinstance(other, ev.Report)
    assert other.id != first.id


def test_replies_fit_one_sms_for_the_common_forms() -> None:
    for text in ("T 0123 450 H12", "V 0123 BS", "O 0123 YYYNYYY"):
        command = parse_sms(text)
        assert not isinstance(command, SmsError | SmsHelp)
        report = sms_report(command, CTX)
        assert isinstance(report, ev.Report)
        assert len(sms_replies.accepted(report, Lang.EN)) <= 160, sms_replies.accepted(report, Lang.EN)


@pytest.mark.parametrize(
    "text",
    [
        "T 0123 99999999999999999999",
        "T 0123 450 H18446744073709551616",
        "P 0123 R99999999999999999999 B1 G1 C1 V1 X1 P1=1 COPY",
        "P 0123 R1 B1 G1 C1 V1 X1 P1=99999999999999999999 COPY",
    ],
)
def test_a_number_beyond_64_bits_is_refused_with_a_reply(text: str) -> None:
    command = parse_sms(text)
    assert not isinstance(command, SmsError | SmsHelp)
    refused = sms_report(command, CTX)
    assert isinstance(refused, SmsError)
    assert refused.code == "impossible"
    assert "is more than any polling station could count" in sms_replies.rejected(refused, Lang.EN)


long_numbers = r"[TPtp] 0123( [BHRGCVXP]?[0-9]{1,30}| P[0-9]=[0-9]{1,30}){1,9}( COPY)?"


@settings(max_examples=300)
@given(st.from_regex(long_numbers, fullmatch=True))
def test_numbers_of_any_length_give_a_report_or_an_error(text: str) -> None:
    command = parse_sms(text)
    if isinstance(command, SmsError | SmsHelp):
        return
    result = sms_report(command, CTX)
    assert isinstance(result, SmsError | ev.Report)
