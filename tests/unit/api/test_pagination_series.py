"""Cursors, page sizes and the region turnout carry-forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.errors import InvalidArgumentError
from services.api.pagination import Cursor, decode_cursor, page_size
from services.api.series import region_turnout


@given(
    st.one_of(
        st.none(),
        st.text(max_size=20),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    st.text(max_size=20),
)
def test_cursor_round_trips(value: str | int | float | None, row_id: str) -> None:
    cursor = Cursor("id", value, row_id)
    assert decode_cursor(cursor.encode(), "id") == cursor


def test_cursor_from_another_ordering_or_garbage_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="ordering"):
        decode_cursor(Cursor("turnout_desc", 1.0, "S1").encode(), "id")
    with pytest.raises(InvalidArgumentError, match="not a cursor"):
        decode_cursor("!!!", "id")


def test_page_size_is_capped() -> None:
    assert page_size(None, 50, 200) == 50
    assert page_size(200, 50, 200) == 200
    for bad in (0, 201, -1):
        with pytest.raises(InvalidArgumentError, match="between 1 and 200"):
            page_size(bad, 50, 200)


T = datetime(2024, 3, 1, 8, tzinfo=UTC)


def test_region_turnout_carries_each_stations_last_count_forward() -> None:
    rows = [
        ("S1", T, 100),
        ("S2", T, 50),
        ("S1", T + timedelta(hours=1), 150),
        ("S2", T + timedelta(hours=2), 90),
    ]
    assert region_turnout(rows, 1000) == [
        (T, 150, 15.0),
        (T + timedelta(hours=1), 200, 20.0),
        (T + timedelta(hours=2), 240, 24.0),
    ]


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 20), st.integers(0, 500))))
def test_region_turnout_never_decreases(rows: list[tuple[str, int, int]]) -> None:
    points = region_turnout([(s, T + timedelta(minutes=m), b) for s, m, b in rows], 1500)
    totals = [b for _, b, _ in points]
    assert totals == sorted(totals)
    if rows:
        assert totals[-1] == sum(max(b for s2, _, b in rows if s2 == s) for s in {s for s, _, _ in rows})
