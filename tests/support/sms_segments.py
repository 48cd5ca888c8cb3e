"""How many SMS a text costs: GSM 03.38 (7-bit) when every character is in its basic or
extension table (an extension character costs two septets), else UCS-2 (docs/sms.md)."""

from __future__ import annotations

import math

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM_SINGLE, GSM_PART = 160, 153  # septets: one SMS, one part of a concatenated SMS
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units


def is_gsm(text: str) -> bool:
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def segments(text: str) -> int:
    """Parts a gateway sends `text` as (a part never splits an escape or surrogate pair, so a
    text exactly at a part boundary may cost one more; the budgets leave room for that)."""
    if is_gsm(text):
        septets = len(text.encode("gsm03.38"))
        return 1 if septets <= GSM_SINGLE else math.ceil(septets / GSM_PART)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PART)
