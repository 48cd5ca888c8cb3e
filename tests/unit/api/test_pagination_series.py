"""Cursors, page sizes and the region turnout carry-forward."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.errors import InvalidArgumentError
from services.api.pagination import Cursor, decode_cursor, page_size
from services.api.region_turnout import region_turnout

_ID = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)
_INSTANT = st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
# The values this API's own cursors carry, per ordering.
_VALUES = {
    "id": _ID,
    "turnout_desc": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1, 10**6),
    "open_alerts_desc": st.integers(-1, 2**31 - 1),
    "alerts": _INSTANT,
    "reports": _INSTANT,
}


@given(st.data())
def test_cursor_round_trips(data: st.DataObject) -> None:
    order = data.draw(st.sampled_from(sorted(_VALUES)))
    cursor = Cursor(order, data.draw(_VALUES[order]), data.draw(_ID))
    assert decode_cursor(cursor.encode(), order) == cursor


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)  # what JSON numbers orjson reads as integers
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


@given(st.sampled_from(sorted(_VALUES)), _JSON, _JSON)
def test_forged_cursors_decode_to_usable_values_or_are_refused(
    order: str, value: object, row_id: object
) -> None:
    """Whatever a client puts in a cursor, the SQL only ever gets a value of the ordering's type."""
    text = base64.urlsafe_b64encode(orjson.dumps([order, value, row_id])).decode()
    try:
        cursor = decode_cursor(text, order)
    except InvalidArgumentError as error:
        refused = error.extensions
    else:
        refused = None
    if refused is not None:
        assert refused == {"code": "INVALID_ARGUMENT", "argument": "after"}
        return
    assert cursor is not None
    assert isinstance(cursor.id, str)
    assert "\x00" not in cursor.id
    if order in ("alerts", "reports"):
        assert datetime.fromisoformat(str(cursor.value)).astimezone(UTC).tzinfo is UTC
    elif order == "open_alerts_desc":
        assert type(cursor.value) is int
        assert -(2**31) <= cursor.value < 2**31
    elif order == "turnout_desc":
        assert type(cursor.value) in (int, float)


@pytest.mark.parametrize(
    ("order", "value", "row_id"),
    [
        ("alerts", "zzz", "A1"),  # not an instant
        ("alerts", 5, "A1"),
        ("reports", "2024-03-01T08:00:00", "r1"),  # no offset
        ("reports", "0001-01-01T00:00:00+14:00", "r1"),  # before year 1 in UTC
        ("open_alerts_desc", 2**40, "S1"),  # PostgreSQL integer overflow
        ("open_alerts_desc", 1.5, "S1"),
        ("turnout_desc", "1", "S1"),
        ("turnout_desc", True, "S1"),
        ("id", None, "S1\x00"),  # PostgreSQL text cannot hold NUL
        ("id", 7, "S1"),
    ],
)
def test_forged_cursor_values_are_refused(order: str, value: object, row_id: str) -> None:
    text = base64.urlsafe_b64encode(orjson.dumps([order, value, row_id])).decode()
    with pytest.raises(InvalidArgumentError, match="not a cursor from this API"):
        decode_cursor(text, order)


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
