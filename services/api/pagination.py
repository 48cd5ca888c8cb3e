"""Keyset pagination: opaque cursors carrying the last row's sort key, and page-size checks."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson

from services.api.errors import InvalidArgumentError


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the ordering it belongs to, the sort value and the row id."""

    order: str
    value: str | float | int | None
    id: str

    def encode(self) -> str:
        return base64.urlsafe_b64encode(orjson.dumps([self.order, self.value, self.id])).decode()


def decode_cursor(text: str | None, order: str) -> Cursor | None:
    if text is None:
        return None
    try:
        order_name, value, row_id = orjson.loads(base64.urlsafe_b64decode(text.encode()))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidArgumentError("after: not a cursor from this API", argument="after") from exc
    if order_name != order or not isinstance(row_id, str):
        raise InvalidArgumentError(
            f"after: cursor belongs to ordering {order_name!r}, not {order!r}", argument="after"
        )
    if value is not None and not isinstance(value, str | int | float):
        raise InvalidArgumentError("after: not a cursor from this API", argument="after")
    return Cursor(order, value, row_id)


def page_size(first: int | None, default: int, maximum: int) -> int:
    """The page size asked for, or the default; refuses anything outside 1..maximum."""
    size = default if first is None else first
    if not 1 <= size <= maximum:
        raise InvalidArgumentError(f"first must be between 1 and {maximum}", argument="first")
    return min(size, maximum)
