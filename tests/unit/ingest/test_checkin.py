"""Check-in replies: the words in each script and case, and nothing else."""

from __future__ import annotations

import pytest

from services.ingest.checkin import REPLY, is_checkin, reply
from services.ingest.sms_commands import SmsError
from services.ingest.sms_grammar import parse_sms


@pytest.mark.parametrize(
    "text",
    ["OK", "ok", " Ok. ", "ОК", "ок", "OК", "ДА", "да!", "ИӘ", "иә", "Ия", "ok\n"],
)
def test_check_in_words(text: str) -> None:
    assert is_checkin(text)


@pytest.mark.parametrize("text", ["", "O", "OKAY", "OK 0123", "T 0123 450", "не да", "yes", "HELP", "0K"])
def test_anything_else_is_not_a_check_in(text: str) -> None:
    assert not is_checkin(text)


def test_check_in_words_are_no_report() -> None:
    """The report grammar refuses them all, so taking them as check-ins loses no report."""
    for word in ("OK", "ОК", "ДА", "ИӘ", "ИЯ"):
        assert isinstance(parse_sms(word), SmsError)


def test_the_reply_speaks_the_monitors_language_else_the_words() -> None:
    assert set(REPLY) == {"en", "ru", "kk"}
    assert reply("kk", "OK") == REPLY["kk"]
    assert reply("ru", "иә") == REPLY["ru"]
    for word, lang in (("OK", "en"), ("ok.", "en"), ("ДА", "ru"), ("ОК", "ru"), ("иә!", "kk"), ("ИЯ", "kk")):
        assert reply(None, word) == REPLY[lang], word
