"""Text and instant arguments the API cannot use are refused before anything runs, naming the argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from services.api.arguments import MAX_TEXT, bad_text_argument, in_range, instant, text_problem
from services.api.errors import InvalidArgumentError


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("S1", None),
        ("Алматы / Алматы облысы", None),
        ("x" * MAX_TEXT, None),
        ("x" * (MAX_TEXT + 1), f"longer than {MAX_TEXT} characters"),
        ("a\x00b", "contains U+0000 (NUL)"),
        ("a\ud800b", "contains an unpaired surrogate (not valid Unicode text)"),
    ],
)
def test_text_problem(text: str, problem: str | None) -> None:
    assert text_problem(text) == problem


@given(st.text(max_size=50))
def test_text_problem_is_none_exactly_for_storable_text(text: str) -> None:
    storable = "\x00" not in text and len(text) <= MAX_TEXT
    assert (text_problem(text) is None) == storable


@pytest.mark.parametrize(
    ("document", "variables", "argument"),
    [
        ('{ station(id: "a\\u0000b") { id } }', {}, "id"),
        ("query($s: ID) { stations(region: $s) { nodes { id } } }", {"s": "R\x00"}, "region"),
        ("subscription($ids: [ID!]) { stationUpdated(ids: $ids) { seq } }", {"ids": ["S1", "\ud800"]}, "ids"),
        ('subscription { stationUpdated(ids: ["S1", "S2\\u0000"]) { seq } }', {}, "ids"),
        ('{ a: station(id: "S1") { id } b: alerts(rule: "x") { nodes { id } } }', {}, None),
        ("query($n: String!) { alerts(rule: $n) { nodes { id } } }", {"n": "r" * (MAX_TEXT + 1)}, "rule"),
        ("{ regions @include(if: true) { id } }", {}, None),
        ('query($r: String = "a\\u0000") { alerts(rule: $r) { nodes { id } } }', {}, "r"),
        ('query($r: String = "a\\u0000") { alerts(rule: $r) { nodes { id } } }', {"r": "ok"}, None),
        ('{ ...F } fragment F on Query { station(id: "\\u0000") { id } }', {}, "id"),
    ],
)
def test_bad_text_arguments_are_found_in_literals_and_variables(
    document: str, variables: dict[str, object], argument: str | None
) -> None:
    error = bad_text_argument(parse(document), variables)
    if argument is None:
        assert error is None
        return
    assert error is not None
    assert error.extensions is not None
    assert (error.extensions["code"], error.extensions["argument"]) == ("INVALID_ARGUMENT", argument)
    assert error.message.split(": ")[0] in (argument, f"${argument}")


def test_instants_timestamptz_cannot_hold_are_refused() -> None:
    assert in_range(datetime(2024, 3, 1, tzinfo=UTC))
    assert in_range(datetime(1, 1, 1))  # naive: UTC
    east = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    west = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14)))
    assert not in_range(east)
    assert not in_range(west)
    assert instant(None, "since") is None
    with pytest.raises(InvalidArgumentError) as refused:
        instant(east, "since")
    assert refused.value.extensions == {"code": "INVALID_ARGUMENT", "argument": "since"}
