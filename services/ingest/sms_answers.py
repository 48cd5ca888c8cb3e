"""Yes and no typed on a phone: the checklist's answers (`YYNY`, `ДДНД`, `ИИЖИ`; `1Y 7N`,
`1Д 7Н`; `ДА НЕТ`, `ИӘ ЖОҚ`) and whether the protocol's copy was received (`COPY`,
`НЕТ КОПИИ`, `КӨШІРМЕ ЖОҚ`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.ingest.sms_letters import fold, to_digits
from services.ingest.sms_vocabulary import ANSWER_LETTERS, ANSWER_WORDS, COPY, COPY_QUALIFIERS

MAX_ANSWERS = 7  # the checklist's questions (events.CHECKLIST_ITEMS)
_LETTER_CLASS = "".join(sorted(ANSWER_LETTERS))
_TAGGED = re.compile(f"(?:[1-7][{_LETTER_CLASS}])+")
_TAG = re.compile(f"([1-7])([{_LETTER_CLASS}])")


@dataclass(frozen=True, slots=True)
class Answer:
    """Answers read from one word: `values[i]` answers question `items[i]` (1-based)."""

    items: tuple[int, ...]
    values: tuple[bool, ...]
    kazakh: bool  # Kazakh yes/no letters or words (И, Ж, ИӘ, ЖОҚ)


def answer_letters(word: str) -> Answer | None:
    """One letter per question, in order: `YYNY`, `ДДНД`, `ИИЖИ`."""
    folded = fold(word)
    if not 1 <= len(folded) <= MAX_ANSWERS or any(c not in ANSWER_LETTERS for c in folded):
        return None
    found = [ANSWER_LETTERS[c] for c in folded]
    return Answer(
        tuple(range(1, len(found) + 1)),
        tuple(w.meaning == "yes" for w in found),
        any(w.kazakh for w in found),
    )


def answer_tags(word: str) -> Answer | None:
    """Question numbers with their answers: `1Y7N`, `1Д`, `ІИ` (І looks like 1)."""
    folded = fold(to_digits(word))
    if not _TAGGED.fullmatch(folded):
        return None
    pairs = [(int(n), ANSWER_LETTERS[c]) for n, c in _TAG.findall(folded)]
    return Answer(
        tuple(n for n, _ in pairs),
        tuple(w.meaning == "yes" for _, w in pairs),
        any(w.kazakh for _, w in pairs),
    )


def answer_word(word: str) -> Answer | None:
    """One answer as a word: `ДА`, `НЕТ`, `ИӘ`, `ЖОҚ`."""
    found = ANSWER_WORDS.get(fold(word))
    return None if found is None else Answer((1,), (found.meaning == "yes",), found.kazakh)


@dataclass(frozen=True, slots=True)
class CopyAnswer:
    received: bool | None  # None: the protocol says nothing of its copy
    rest: list[str]  # the protocol's other words
    kazakh: bool


def copy_answer(words: list[str]) -> CopyAnswer:
    """Whether the protocol's copy was received: a copy word, maybe qualified by the word
    before or the two after it ("НЕТ КОПИИ", "КӨШІРМЕ ЖОҚ", "КОПИЮ НЕ ДАЛИ"); the last wins."""
    received: bool | None = None
    rest: list[str] = []
    found = []
    i = 0
    while i < len(words):
        copy = COPY.get(fold(words[i]))
        i += 1
        if copy is None:
            rest.append(words[i - 1])
            continue
        said = [copy]
        if rest and (before := COPY_QUALIFIERS.get(fold(rest[-1]))) is not None:
            said.append(before)
            rest.pop()
        for _ in range(2):
            after = COPY_QUALIFIERS.get(fold(words[i])) if i < len(words) else None
            if after is None:
                break
            said.append(after)
            i += 1
        received = all(w.meaning == "yes" for w in said)
        found += said
    return CopyAnswer(received, rest, any(w.kazakh for w in found))
