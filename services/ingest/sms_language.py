"""Which language to answer a monitor in: the one chosen for them (`pollwatch monitors add
--lang`), else the one their text is written in."""

from __future__ import annotations

from services.common.catalog import Lang
from services.ingest.sms_catalog import language
from services.ingest.sms_letters import KAZAKH_LETTERS, has_cyrillic


def text_language(text: str, kazakh_words: bool) -> Lang:
    """Kazakh when the text holds a letter only Kazakh has (Ә Ғ Қ Ң Ө Ұ Ү Һ І) or a word
    only Kazakh uses (КЕЛУ, БҰЗУ, ИӘ...: `sms_vocabulary`), Russian for other Cyrillic,
    else English."""
    if kazakh_words or KAZAKH_LETTERS.search(text):
        return Lang.KK
    return Lang.RU if has_cyrillic(text) else Lang.EN


def reply_language(chosen: str | None, text: str, kazakh_words: bool) -> Lang:
    return language(chosen) or text_language(text, kazakh_words)
