"""Keyset pagination: opaque cursors carrying the last row's sort key, and page-size checks."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from services.api.arguments import in_range, text_problem
from services.api.errors import InvalidArgumentError


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the ordering it belongs to, the sort value and the row id."""

    order: str
    value: str | float | int | None
    id: str

    def encode(self) -> str:
        return base64.urlsafe_b64encode(orjson.dumps([self.order, self.value, self.id])).decode()


def _timestamp(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and in_range(parsed)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _int32(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


# What each ordering's cursor value must be, so a forged cursor never reaches the SQL as one.
_VALUE_OK: dict[str, Callable[[object], bool]] = {
    "id": lambda value: value is None or (isinstance(value, str) and text_problem(value) is None),
    "turnout_desc": _number,
    "open_alerts_desc": _int32,
    "alerts": _timestamp,
    "reports": _timestamp,
    # The audit log's id (its own keyset; the cursor's id repeats it as text).
    "audit": lambda value: isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63,
}


def decode_cursor(text: str | None, order: str) -> Cursor | None:
    if text is None:
        return None
    try:
        order_name, value, row_id = orjson.loads(base64.urlsafe_b64decode(text.encode()))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidArgumentError("after: not a cursor from this API", argument="after") from exc
    if order_name != order:
        raise InvalidArgumentError(
            f"after: cursor belongs to ordering {order_name!r}, not {order!r}", argument="after"
        )
    if not isinstance(row_id, str) or text_problem(row_id) is not None or not _VALUE_OK[order](value):
        raise InvalidArgumentError("after: not a cursor from this API", argument="after")
    return Cursor(order, value, row_id)


def page_size(first: int | None, default: int, maximum: int) -> int:
    """The page size asked for, or the default; refuses anything outside 1..maximum."""
    size = default if first is None else first
    if not 1 <= size <= maximum:
        raise InvalidArgumentError(f"first must be between 1 and {maximum}", argument="first")
    return min(size, maximum)
