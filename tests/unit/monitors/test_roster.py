"""The roster file: rows accepted normalised, bad ones refused with their reason, the rest kept."""

from __future__ import annotations

import pytest

from services.common.monitors.roster import Refusal, RosterFileError, RosterRow, parse_roster

STATIONS = {"ALA-0001": "ALA", "ALA-0002": "ALA", "AST-0001": "AST"}
REGIONS = frozenset({"ALA", "AST"})
HEADER = "name,phone,stations,language,region,coordinator\n"


def parse(body: str, header: str = HEADER) -> tuple[list[RosterRow], list[Refusal]]:
    roster = parse_roster(header + body, STATIONS, REGIONS)
    return list(roster.rows), list(roster.refusals)


def test_a_good_row_is_normalised() -> None:
    rows, refused = parse("  Aigerim   Bekova ,+7 701 123-45-67,ALA-0002; ALA-0001,KK,,Dana Petrova\n")
    assert refused == []
    assert rows == [
        RosterRow(2, "Aigerim Bekova", "+77011234567", ("ALA-0001", "ALA-0002"), "kk", "ALA", "Dana Petrova")
    ]


def test_semicolon_separated_file_with_a_byte_order_mark() -> None:
    text = "\ufeffName;Phone;Stations;Language;Region\nOlga Ivanova;+77021234567;AST-0001,ALA-0001;ru;AST\n"
    roster = parse_roster(text, STATIONS, REGIONS)
    assert [(r.name, r.stations, r.region_id) for r in roster.rows] == [
        ("Olga Ivanova", ("ALA-0001", "AST-0001"), "AST")
    ]


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        ("A,87011234567,ALA-0001,ru,,", "bad_phone", "phone"),
        ("A,+7701,ALA-0001,ru,,", "bad_phone", "phone"),
        ("A,not a phone,ALA-0001,ru,,", "bad_phone", "phone"),
        ("A,+77011234567,ALA-9999,ru,,", "unknown_station", "stations"),
        ("A,+77011234567,,ru,,", "required", "stations"),
        ("A,+77011234567,ALA-0001,de,,", "bad_language", "language"),
        ("A,+77011234567,ALA-0001,english,,", "bad_language", "language"),
        ("A,+77011234567,ALA-0001,ru,XXX,", "unknown_region", "region"),
        (",+77011234567,ALA-0001,ru,,", "required", "name"),
        ("A\x07,+77011234567,ALA-0001,ru,,", "control_character", "name"),
        ("A" * 201 + ",+77011234567,ALA-0001,ru,,", "too_long", "name"),
    ],
)
def test_a_bad_row_is_refused_with_its_reason(row: str, code: str, field: str) -> None:
    rows, refused = parse(row + "\nGood,+77021234567,ALA-0002,en,,\n")
    assert [(r.line, r.code, r.field) for r in refused] == [(2, code, field)]
    assert [r.line for r in rows] == [3]  # the rest is taken


def test_the_refusal_names_the_unknown_stations() -> None:
    _, refused = parse("A,+77011234567,ALA-0001;ALA-0404;X,ru,,\n")
    assert refused[0].message == "not in the station registry: ALA-0404, X"


def test_every_row_sharing_a_phone_is_refused() -> None:
    rows, refused = parse(
        "A,+77011234567,ALA-0001,ru,,\nB,+77021234567,ALA-0002,ru,,\nC,+7 701 123 45 67,AST-0001,kk,,\n"
    )
    assert [r.name for r in rows] == ["B"]
    assert [(r.line, r.code) for r in refused] == [(2, "duplicate_phone"), (4, "duplicate_phone")]
    assert refused[0].message.startswith("the same phone is on lines 2, 4")
    assert "+7701" not in refused[0].message  # a refusal never repeats the phone


def test_blank_lines_are_skipped_and_counted_nowhere() -> None:
    roster = parse_roster(HEADER + "\nA,+77011234567,ALA-0001,ru,,\n,,,,,\n", STATIONS, REGIONS)
    assert roster.total == 1


def test_a_missing_column_refuses_the_file() -> None:
    with pytest.raises(RosterFileError, match="missing column"):
        parse_roster("name,phone,language\nA,+77011234567,ru\n", STATIONS, REGIONS)


def test_without_a_language_the_monitor_is_answered_in_the_language_of_each_text() -> None:
    rows, refused = parse("A,+77011234567,ALA-0001,,,\n")
    assert refused == []
    assert rows[0].lang is None
    without_column = parse_roster("name,phone,stations\nA,+77011234567,ALA-0001\n", STATIONS, REGIONS)
    assert [r.lang for r in without_column.rows] == [None]
