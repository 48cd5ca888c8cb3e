"""The SMS short-code grammar (docs/sms.md): text typed on a basic phone to a parsed command.

Pure and total: `read_sms` returns a command or an `SmsError` (a code and its parameters,
worded by `sms_replies` in the monitor's language), and whether Kazakh words were read; it
never raises. Forgiving of case, extra spaces and punctuation, of O/0 and I/l/1 confusion
wherever a number is expected, and of Cyrillic typed for Latin: the words of each place
are looked up in `sms_vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from services.common.contracts import events as ev
from services.ingest.sms_answers import Answer, answer_letters, answer_tags, answer_word, copy_answer
from services.ingest.sms_commands import (
    SmsChecklist,
    SmsCommand,
    SmsError,
    SmsHelp,
    SmsIncident,
    SmsProtocol,
    SmsReading,
    SmsTurnout,
    StationRef,
)
from services.ingest.sms_letters import fold, latin, to_digits
from services.ingest.sms_vocabulary import (
    FORMS,
    HELP,
    LATIN_VIOLATIONS,
    PROTOCOL_TAGS,
    TURNOUT_TAGS,
    VIOLATIONS,
    Word,
)

MAX_SMS = 1600  # ten concatenated SMS; longer is not a monitor typing
QUOTED = 10  # characters of what the monitor typed quoted back in a reply (replies stay one SMS)
CHECKLIST_FORMS = {
    "R": ev.ChecklistPhase.READINESS,
    "O": ev.ChecklistPhase.OPENING,
    "C": ev.ChecklistPhase.CLOSING,
}
# Protocol tags: letters that cannot be mistaken for digits (no O, I, L).
PROTOCOL_FIELDS = {
    "R": "registered_voters",
    "B": "ballots_received",
    "G": "ballots_issued",
    "C": "ballots_cast",
    "V": "valid_ballots",
    "X": "invalid_ballots",
    "H": "home_ballots_issued",
}
PROTOCOL_REQUIRED = ("R", "B", "G", "C", "V", "X")
REPORT_FORMS = ("T", "V", "R", "O", "C", "P")
_CODES = {violation: code for code, violation in LATIN_VIOLATIONS.items()}
_DIGITS = re.compile(r"[0-9]+")
_LETTERS = re.compile(r"[A-Za-z\u0400-\u04ff]+")
_WORD = re.compile(r"\S+")
_PARTY_LETTERS = re.compile("[A-Z]*")
_PARTY_NAME = re.compile("[A-Z\u0400-\u04ff][A-Z0-9_\u0400-\u04ff]{0,15}")


def number(token: str) -> int | None:
    """A count typed on a phone: O/o/О -> 0, I/l/|/І -> 1, З -> 3, б -> 6; None when it is
    not a number."""
    digits = to_digits(token)
    return int(digits) if _DIGITS.fullmatch(digits) else None


def parse_sms(text: str) -> SmsCommand | SmsError:
    """Parses one SMS; never raises."""
    return read_sms(text).command


def read_sms(text: str) -> SmsReading:
    """Parses one SMS and tells whether Kazakh words were read; never raises."""
    reader = _Reader(text)
    command = reader.parse()
    return SmsReading(command, reader.kazakh)


def _error(form: str, code: str, **params: str) -> SmsError:
    return SmsError(code, form, params)


class _Reader:
    """One text being read; notes whether a word only Kazakh uses was read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.kazakh = False

    def word(self, table: Mapping[str, Word], token: str) -> str | None:
        found = table.get(fold(token))
        if found is None:
            return None
        self.kazakh |= found.kazakh
        return found.meaning

    def answer(self, found: Answer | None) -> Answer | None:
        if found is not None:
            self.kazakh |= found.kazakh
        return found

    def parse(self) -> SmsCommand | SmsError:
        text = self.text
        if len(text) > MAX_SMS:
            return SmsError("too_long", params={"n": str(len(text))})
        words = [
            (m.group(), m.start(), m.end()) for m in _WORD.finditer(text.replace(",", " ").replace(";", " "))
        ]
        if not words:
            return SmsError("empty")
        first = words[0][0]
        form, glued = self.form(first, more=len(words) > 1)
        if form is None or (form == HELP and glued):
            return SmsError("unknown_form", params={"token": first[:QUOTED]})
        if form == HELP:
            return SmsHelp(self.topic(words[1][0]) if len(words) > 1 else "")
        if glued:  # "T0123 450": the form code typed without a space
            words[0] = (glued, words[0][2] - len(glued), words[0][2])
        else:
            words = words[1:]
        if not words:
            return _error(form, "no_station")
        station = _station(words[0][0])
        if station is None:
            return _error(form, "bad_station", token=words[0][0][:QUOTED])
        rest = words[1:]
        if form == "P" and fold(first[: len(first) - len(glued)]) == "Р" and rest and _answers(rest[0][0]):
            form = "R"  # Р looks like P but sounds like R: with answers it is readiness
        if form == "T":
            return self.turnout(station, [w for w, _, _ in rest])
        if form == "V":
            return self.incident(station, rest)
        if form == "P":
            return self.protocol(station, [w for w, _, _ in rest])
        return self.checklist(form, station, rest)

    def form(self, first: str, more: bool) -> tuple[str | None, str]:
        """The form a first word names, and the station glued to it ("T0123", "НАР0123")."""
        form, glued = self.word(FORMS, first), ""
        if form is None:
            letters = _LETTERS.match(first)
            if letters is not None and letters.end() < len(first):
                form, glued = self.word(FORMS, letters.group()), first[letters.end() :]
            if form is None:
                form, glued = self.word(FORMS, first[0]), first[1:]
        if form == HELP and fold(first[: len(first) - len(glued)]) == "Н" and (more or glued):
            form = "V"  # Н looks like H, help; before a station it is Russian нарушение
        return form, glued

    def topic(self, word: str) -> str:
        if fold(word) == "Н":
            return "V"
        topic = self.word(FORMS, word) or self.word(FORMS, word[0])
        return topic if topic in REPORT_FORMS else ""

    def tagged(
        self, tokens: list[str], tags: Mapping[str, Word]
    ) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Splits tokens into untagged values, (tag, value) pairs and the ones not understood.

        A tag may be glued to its number ("H12"), spaced ("H 12") or joined by = or : ("H=12");
        a key that is no tag comes back as typed (a party code).
        """
        items = re.sub(r"\s*([=:])\s*", r"\1", " ".join(tokens)).split()
        plain: list[str] = []
        pairs: list[tuple[str, str]] = []
        bad: list[str] = []
        i = 0
        while i < len(items):
            item = items[i]
            if "=" in item or ":" in item:
                key, _, value = item.replace(":", "=").partition("=")
                pairs.append((self.word(tags, key) or key, value))
            elif len(item) > 1 and number(item[1:]) is not None and (tag := self.word(tags, item[0])):
                pairs.append((tag, item[1:]))
            elif i + 1 < len(items) and number(items[i + 1]) is not None and (tag := self.word(tags, item)):
                pairs.append((tag, items[i + 1]))
                i += 1
            elif number(item) is not None:
                plain.append(item)
            else:
                bad.append(item)
            i += 1
        return plain, pairs, bad

    def turnout(self, station: StationRef, tokens: list[str]) -> SmsTurnout | SmsError:
        plain, pairs, bad = self.tagged(tokens, TURNOUT_TAGS)
        if bad:
            return _error("T", "not_understood", token=bad[0][:QUOTED])
        values: dict[str, int] = {}
        for tag, raw in pairs:
            n = number(raw)
            if tag not in ("B", "H") or n is None:
                return _error("T", "not_understood", token=f"{tag}={raw}"[:QUOTED])
            if tag in values:
                return _error("T", "repeated", tag=tag)
            values[tag] = n
        if "B" not in values and plain:
            values["B"] = number(plain.pop(0)) or 0
        if plain:
            return _error("T", "extra_number", token=plain[0][:QUOTED])
        if "B" not in values:
            return _error("T", "no_ballots")
        return SmsTurnout(station, values["B"], values.get("H", 0))

    def incident(self, station: StationRef, rest: list[tuple[str, int, int]]) -> SmsIncident | SmsError:
        if not rest:
            return _error("V", "no_violation")
        typed = rest[0][0]
        violation = self.word(VIOLATIONS, typed.upper().replace("0", "O").replace("5", "S"))
        if violation is None:
            return _error("V", "unknown_violation", token=typed[:QUOTED])
        kind = ev.ViolationType(violation)
        description = " ".join(self.text[rest[0][2] :].split())
        return SmsIncident(station, kind, _CODES[kind], description)

    def checklist(
        self, form: str, station: StationRef, rest: list[tuple[str, int, int]]
    ) -> SmsChecklist | SmsError:
        answers: dict[int, bool] = {}
        style = ""  # one block: a string of letters (then tags), tags, or words
        used = 0
        for word, _, _ in rest:
            if not answers and (letters := self.answer(answer_letters(word))) is not None:
                answers, style = dict(enumerate(letters.values, 1)), "letters"
            elif style != "words" and (tags := self.answer(answer_tags(word))) is not None:
                answers.update(zip(tags.items, tags.values, strict=True))
                style = "tags"
            elif style in ("", "words") and len(answers) < 7 and (one := self.answer(answer_word(word))):
                answers[len(answers) + 1], style = one.values[0], "words"
            else:
                break
            used += 1
        if not answers:
            return _error(form, "no_answers")
        note = " ".join(self.text[rest[used - 1][2] :].split()) if used < len(rest) else ""
        items = ev.CHECKLIST_ITEMS
        return SmsChecklist(
            station, CHECKLIST_FORMS[form], {items[i - 1]: a for i, a in sorted(answers.items())}, note
        )

    def protocol(self, station: StationRef, tokens: list[str]) -> SmsProtocol | SmsError:
        copy = copy_answer(tokens)
        self.kazakh |= copy.kazakh
        kept = copy.rest
        plain, pairs, bad = self.tagged(kept, PROTOCOL_TAGS)
        if bad or plain:
            return _error("P", "not_understood", token=(bad or plain)[0][:QUOTED])
        counts: dict[str, int] = {}
        votes: dict[str, int] = {}
        for tag, raw in pairs:
            n = number(raw)
            if n is None:
                return _error("P", "bad_number", token=raw[:QUOTED], tag=tag[:QUOTED])
            if tag in PROTOCOL_FIELDS:
                if PROTOCOL_FIELDS[tag] in counts:
                    return _error("P", "repeated", tag=tag)
                counts[PROTOCOL_FIELDS[tag]] = n
            else:
                party = _party(tag)
                if party is None or party in votes:
                    return _error("P", "bad_party", token=tag[:QUOTED])
                votes[party] = n
        missing = [t for t in PROTOCOL_REQUIRED if PROTOCOL_FIELDS[t] not in counts]
        if missing:
            return _error("P", "missing", tags=" ".join(missing))
        if not votes:
            return _error("P", "no_votes")
        if copy.received is None:
            return _error("P", "no_copy")
        counts.setdefault("home_ballots_issued", 0)
        return SmsProtocol(station, counts, votes, copy.received)


def _answers(word: str) -> bool:
    return any(read(word) is not None for read in (answer_letters, answer_tags, answer_word))


def _station(token: str) -> StationRef | None:
    n = number(token)
    if n is not None:
        return StationRef("", n)
    letters = _LETTERS.match(token)
    for length in range(min(4, letters.end() if letters else 0), 1, -1):  # "ALA-0123", "ALA0123"
        rest = token[length:]
        n = number(rest[1:] if rest.startswith("-") else rest)
        if n is not None:
            return StationRef(fold(token[:length]), n)
    return None


def _party(code: str) -> str | None:
    """Party codes as on the ballot ("P01"): up to four letters then digits, O/0 and I/1
    forgiven in the digits, Cyrillic read as the Latin it looks like (П1, Р1, РІ: P01); or
    a name of letters, digits and _, Latin or Cyrillic, kept as typed."""
    for split in range(min(4, len(code) - 1) + 1):
        letters, digits = latin(fold(code[:split])), to_digits(code[split:])
        if letters is not None and _PARTY_LETTERS.fullmatch(letters) and _DIGITS.fullmatch(digits):
            return f"{letters}{int(digits):02d}"
    return code.upper() if _PARTY_NAME.fullmatch(code.upper()) else None
