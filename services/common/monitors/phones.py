"""Phone numbers: E.164 as the `phonenumbers` library validates it, and masked for display."""

from __future__ import annotations

import phonenumbers


def e164(raw: str) -> str | None:
    """The number in E.164 (`+77011234567`), or None unless `raw` is a valid international number.

    Spaces, dashes, dots and brackets are allowed (`+7 701 123-45-67`); a national number
    without its country code (`87011234567`) is refused: the country cannot be guessed."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(phone: str | None) -> str:
    """Enough to recognise one's own monitor, not enough to call them: `+770*****67`."""
    return "-" if not phone else phone[:4] + "*" * (len(phone) - 6) + phone[-2:]
