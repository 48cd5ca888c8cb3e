"""E.164 as phonenumbers validates it: formatting allowed, national numbers and junk refused."""

from __future__ import annotations

import pytest

from services.common.monitors.phones import e164, mask


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+77011234567", "+77011234567"),
        ("+7 701 123-45-67", "+77011234567"),
        ("+7 (701) 123.45.67", "+77011234567"),
        ("0077011234567", "+77011234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("87011234567", None),  # national: which country?
        ("+7701123", None),  # too short
        ("+7 999 000 00 00 00", None),
        ("", None),
        ("tel:+77011234567x", None),
    ],
)
def test_e164(raw: str, expected: str | None) -> None:
    assert e164(raw) == expected


def test_mask_keeps_the_country_and_the_last_two_digits() -> None:
    assert mask("+77011234567") == "+770******67"
    assert mask(None) == "-"
