"""What a letter typed on a phone stands for, in Latin, Russian or Kazakh (docs/sms.md).

Pure table look-ups, cheap enough for the parser's hot path:
- `fold` brings a word to the one spelling the SMS vocabulary is written in: upper case;
  Kazakh letters as the Russian letter a monitor without a Kazakh layout types instead
  (Қ→К, Ө→О, Ұ Ү→У, І→И, Ә→А, Ғ→Г, Ң→Н, Һ→Н) and Ё→Е; and, in a word holding any
  Cyrillic letter, Latin letters with a Cyrillic twin (A B C E H I K M O P T X Y) as that
  twin, so that a word typed half in each script reads as one.
- `READINGS` says which Latin letters a Cyrillic letter stands for: first what it looks
  like (В looks like B), then what it sounds like (В sounds like V). The vocabulary
  (`sms_vocabulary`) prefers the look, because monitors copy codes from a card printed in
  Latin letters, and falls back to the sound where the look means nothing in that place.
- `to_digits` reads letters that look like digits where a number is expected.
"""

from __future__ import annotations

import re

_KAZAKH_AS_RUSSIAN = str.maketrans("ӘҒҚҢӨҰҮҺІЁ", "АГКНОУУНИЕ")
_LATIN_TWINS = str.maketrans("ABCEHIKMOPTXY", "АВСЕНИКМОРТХУ")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
KAZAKH_LETTERS = re.compile("[ӘҒҚҢӨҰҮҺІәғқңөұүһі]")

# (looks like, sounds like): Latin letters each folded Cyrillic letter stands for.
READINGS: dict[str, tuple[str, str]] = {
    "А": ("A", ""),
    "В": ("B", "V"),
    "Е": ("E", ""),
    "К": ("K", ""),
    "М": ("M", ""),
    "Н": ("H", "N"),
    "О": ("O", ""),
    "Р": ("P", "R"),
    "С": ("C", "S"),
    "Т": ("T", ""),
    "Х": ("X", "H"),
    "У": ("Y", "U"),
    "И": ("I", ""),  # folded І looks like I; И itself sounds like it
    "Б": ("", "B"),
    "Г": ("", "G"),
    "Д": ("", "D"),
    "З": ("", "Z"),
    "Л": ("", "L"),
    "П": ("", "P"),
    "Ф": ("", "F"),
}

# Where a number is expected: Latin O Q I L | as before, and Cyrillic О Ө (0), І (1), З (3)
# and the lower-case б, which looks like 6 (the capital Б does not, and is a tag letter).
_DIGIT_TWINS = str.maketrans("ОоӨөІіЗзб", "000011336")
_LATIN_DIGITS = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1"})


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def fold(word: str) -> str:
    """The word as the vocabulary spells it (see the module's docstring)."""
    if word.isascii():  # the common case, and the whole Latin grammar
        return word.upper()
    up = word.upper().translate(_KAZAKH_AS_RUSSIAN)
    return up.translate(_LATIN_TWINS) if _CYRILLIC.search(up) else up


def to_digits(token: str) -> str:
    """`token` with every letter that looks like a digit made that digit (upper case)."""
    if not token.isascii():
        token = token.translate(_DIGIT_TWINS)
    return token.upper().translate(_LATIN_DIGITS)


def latin(word: str) -> str | None:
    """A folded word in Latin letters, each read by its look (else its sound); None when a
    letter has no Latin reading."""
    out = []
    for c in word:
        if c.isascii():
            out.append(c)
            continue
        look, sound = READINGS.get(c, ("", ""))
        if not (look or sound):
            return None
        out.append(look or sound)
    return "".join(out)


def prefix_matches(typed: str, prefix: str) -> bool:
    """Whether a typed region prefix (folded, maybe Cyrillic) names the Latin `prefix`:
    each letter the same, or a Cyrillic letter that reads as it (АСТ names AST and ACT)."""
    return len(typed) == len(prefix) and all(
        t == p or p in READINGS.get(t, ("", "")) for t, p in zip(typed, prefix.upper(), strict=True)
    )
