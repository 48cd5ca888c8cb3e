"""The SMS short-code grammar (docs/sms.md): text typed on a basic phone to a parsed command.

Pure and total: `parse_sms` returns a command or an `SmsError` whose message is written for
the monitor; it never raises. Forgiving of case, extra spaces and punctuation, and of O/0
and I/l/1 confusion wherever a number is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.common import events as ev

MAX_SMS = 1600  # ten concatenated SMS; longer is not a monitor typing
# Violation codes as monitors are trained on them.
VIOLATION_CODES: dict[str, ev.ViolationType] = {
    "BS": ev.ViolationType.BALLOT_STUFFING,
    "CV": ev.ViolationType.CAROUSEL_VOTING,
    "FV": ev.ViolationType.FAMILY_VOTING,
    "HV": ev.ViolationType.HOME_VOTING_ABUSE,
    "MR": ev.ViolationType.MONITOR_RESTRICTED,
    "NV": ev.ViolationType.NO_CLEAR_VIEW,
    "AT": ev.ViolationType.ABNORMAL_TURNOUT,
    "PR": ev.ViolationType.PROTOCOL_REFUSED,
    "SC": ev.ViolationType.BALLOT_SECRECY,
    "OT": ev.ViolationType.OTHER,
}
CHECKLIST_FORMS = {
    "R": ev.ChecklistPhase.READINESS,
    "O": ev.ChecklistPhase.OPENING,
    "C": ev.ChecklistPhase.CLOSING,
}
# Protocol tags: letters that cannot be mistaken for digits (no O, I, L).
PROTOCOL_TAGS = {
    "R": "registered_voters",
    "B": "ballots_received",
    "G": "ballots_issued",
    "C": "ballots_cast",
    "V": "valid_ballots",
    "X": "invalid_ballots",
    "H": "home_ballots_issued",
}
PROTOCOL_REQUIRED = ("R", "B", "G", "C", "V", "X")
FORMS_HINT = "T turnout, V violation, R/O/C checklist, P protocol"
EXAMPLES = {
    "T": "T 0123 450 H12",
    "V": "V 0123 BS",
    "R": "R 0123 YYYYNYY",
    "O": "O 0123 YYYYNYY",
    "C": "C 0123 YYYYNYY",
    "P": "P 0123 R1500 B1500 G900 C898 V880 X18 P1=500 P2=380 COPY",
}
_DIGITISH = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1"})
_NUMBER = re.compile(r"[0-9OQIL|]+")
_STATION = re.compile(r"([A-Z]{2,4})-?([0-9OQIL|]+)")
_ANSWER_TAGS = re.compile(r"(?:[1-7IL][YN])+")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class StationRef:
    """What the monitor typed for the station: a number ("0123") or a full code ("ALA-0123")."""

    prefix: str
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}-{self.number:04d}" if self.prefix else f"{self.number:04d}"


@dataclass(frozen=True, slots=True)
class SmsTurnout:
    station: StationRef
    ballots_issued: int
    home_voting_applications: int = 0


@dataclass(frozen=True, slots=True)
class SmsIncident:
    station: StationRef
    violation: ev.ViolationType
    code: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class SmsChecklist:
    station: StationRef
    phase: ev.ChecklistPhase
    answers: dict[str, bool]
    note: str = ""


@dataclass(frozen=True, slots=True)
class SmsProtocol:
    station: StationRef
    counts: dict[str, int]
    votes: dict[str, int]
    copy_received: bool


@dataclass(frozen=True, slots=True)
class SmsHelp:
    topic: str = ""


@dataclass(frozen=True, slots=True)
class SmsError:
    """Why a text was not understood, in the monitor's words (fits one SMS where it can)."""

    code: str
    message: str
    form: str = ""
    details: tuple[str, ...] = field(default=())


SmsCommand = SmsTurnout | SmsIncident | SmsChecklist | SmsProtocol | SmsHelp


def number(token: str) -> int | None:
    """A count typed on a phone: O/o -> 0, I/l/| -> 1; None when it is not a number."""
    up = token.upper()
    if not _NUMBER.fullmatch(up):
        return None
    return int(up.translate(_DIGITISH))


def parse_sms(text: str) -> SmsCommand | SmsError:
    """Parses one SMS; never raises."""
    if len(text) > MAX_SMS:
        return SmsError("too_long", f"Message too long ({len(text)} characters). Send one report per SMS.")
    words = [
        (m.group(), m.start(), m.end()) for m in _WORD.finditer(text.replace(",", " ").replace(";", " "))
    ]
    if not words:
        return SmsError(
            "empty", f"Empty message. Start with a form code: {FORMS_HINT}. Send HELP for examples."
        )
    first = words[0][0].upper()
    if first in ("HELP", "?", "H"):
        return SmsHelp(words[1][0].upper() if len(words) > 1 else "")
    form, glued = first[0], first[1:]
    form = {"0": "O"}.get(form, form)
    if form not in EXAMPLES:
        return SmsError("unknown_form", f"Unknown form code '{first[:10]}'. Use {FORMS_HINT}. Send HELP.")
    if glued:  # "T0123 450": the form code typed without a space
        words[0] = (glued, words[0][1] + 1, words[0][2])
    else:
        words = words[1:]
    if not words:
        return _error(form, "no_station", "Station number missing.")
    station = _station(words[0][0])
    if station is None:
        return _error(form, "bad_station", f"'{words[0][0][:12]}' is not a station number.")
    rest = words[1:]
    if form == "T":
        return _turnout(station, [w for w, _, _ in rest])
    if form == "V":
        return _incident(station, rest, text)
    if form == "P":
        return _protocol(station, [w for w, _, _ in rest])
    return _checklist(form, station, rest, text)


def _error(form: str, code: str, message: str) -> SmsError:
    return SmsError(code, f"{message} Example: {EXAMPLES[form]}", form)


def _station(token: str) -> StationRef | None:
    up = token.upper()
    n = number(up)
    if n is not None:
        return StationRef("", n)
    m = _STATION.fullmatch(up)
    if m is None:
        return None
    return StationRef(m.group(1), int(m.group(2).translate(_DIGITISH)))


def _tagged(tokens: list[str], tags: set[str]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Splits tokens into untagged values, (tag, value) pairs and the ones not understood.

    A tag may be glued to its number ("H12"), spaced ("H 12") or joined by = or : ("H=12").
    """
    joined = " ".join(tokens).upper()
    joined = re.sub(r"\s*([=:])\s*", r"\1", joined)
    items = joined.split()
    plain: list[str] = []
    pairs: list[tuple[str, str]] = []
    bad: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if "=" in item or ":" in item:
            key, _, value = item.replace(":", "=").partition("=")
            pairs.append((key, value))
        elif item[0] in tags and len(item) > 1 and number(item[1:]) is not None:
            pairs.append((item[0], item[1:]))
        elif item in tags and i + 1 < len(items) and number(items[i + 1]) is not None:
            pairs.append((item, items[i + 1]))
            i += 1
        elif number(item) is not None:
            plain.append(item)
        else:
            bad.append(item)
        i += 1
    return plain, pairs, bad


def _turnout(station: StationRef, tokens: list[str]) -> SmsTurnout | SmsError:
    plain, pairs, bad = _tagged(tokens, {"B", "H"})
    if bad:
        return _error("T", "not_understood", f"Did not understand '{bad[0][:12]}'.")
    values: dict[str, int] = {}
    for tag, raw in pairs:
        n = number(raw)
        if tag not in ("B", "H") or n is None:
            return _error("T", "not_understood", f"Did not understand '{tag}={raw}'."[:80])
        if tag in values:
            return _error("T", "repeated", f"{tag} is given twice.")
        values[tag] = n
    if "B" not in values and plain:
        values["B"] = number(plain.pop(0)) or 0
    if plain:
        return _error(
            "T", "extra_number", f"Extra number '{plain[0]}': put H before home-voting applications."
        )
    if "B" not in values:
        return _error("T", "no_ballots", "Number of ballots issued missing.")
    return SmsTurnout(station, values["B"], values.get("H", 0))


def _incident(station: StationRef, rest: list[tuple[str, int, int]], text: str) -> SmsIncident | SmsError:
    codes = " ".join(VIOLATION_CODES)
    if not rest:
        return _error("V", "no_violation", f"Violation code missing. Codes: {codes}.")
    code = rest[0][0].upper().replace("0", "O").replace("5", "S")
    if code not in VIOLATION_CODES:
        return _error("V", "unknown_violation", f"Unknown violation code '{rest[0][0][:8]}'. Codes: {codes}.")
    description = " ".join(text[rest[0][2] :].split())
    return SmsIncident(station, VIOLATION_CODES[code], code, description)


def _checklist(
    form: str, station: StationRef, rest: list[tuple[str, int, int]], text: str
) -> SmsChecklist | SmsError:
    answers: dict[int, bool] = {}
    used = 0
    for word, _, _ in rest:
        up = word.upper()
        if re.fullmatch(r"[YN]{1,7}", up) and not answers:
            answers = {i + 1: c == "Y" for i, c in enumerate(up)}
        elif _ANSWER_TAGS.fullmatch(up):
            for item, answer in re.findall(r"([1-7IL])([YN])", up):
                answers[int(item.translate(_DIGITISH))] = answer == "Y"
        else:
            break
        used += 1
    if not answers:
        return _error(form, "no_answers", "Answers missing: one Y or N per question, in order.")
    note = " ".join(text[rest[used - 1][2] :].split()) if used < len(rest) else ""
    items = ev.CHECKLIST_ITEMS
    return SmsChecklist(
        station, CHECKLIST_FORMS[form], {items[i - 1]: a for i, a in sorted(answers.items())}, note
    )


def _protocol(station: StationRef, tokens: list[str]) -> SmsProtocol | SmsError:
    words = [t.upper() for t in tokens]
    copy: bool | None = None
    kept = []
    for w in words:
        if w in ("COPY", "KY", "K1"):
            copy = True
        elif w in ("NOCOPY", "NC", "KN", "K0", "KO"):
            copy = False
        else:
            kept.append(w)
    plain, pairs, bad = _tagged(kept, set(PROTOCOL_TAGS))
    if bad or plain:
        what = (bad or plain)[0][:12]
        return _error("P", "not_understood", f"Did not understand '{what}': each number needs its letter.")
    counts: dict[str, int] = {}
    votes: dict[str, int] = {}
    for tag, raw in pairs:
        n = number(raw)
        if n is None:
            return _error("P", "bad_number", f"'{raw[:12]}' after {tag} is not a number.")
        if tag in PROTOCOL_TAGS:
            if PROTOCOL_TAGS[tag] in counts:
                return _error("P", "repeated", f"{tag} is given twice.")
            counts[PROTOCOL_TAGS[tag]] = n
        else:
            party = _party(tag)
            if party is None or party in votes:
                return _error("P", "bad_party", f"'{tag[:12]}' is not a party code, or is given twice.")
            votes[party] = n
    missing = [t for t in PROTOCOL_REQUIRED if PROTOCOL_TAGS[t] not in counts]
    if missing:
        return _error("P", "missing", f"Missing: {' '.join(missing)}.")
    if not votes:
        return _error("P", "no_votes", "Votes per party missing, as P1=500.")
    if copy is None:
        return _error("P", "no_copy", "Add COPY if you got a copy of the protocol, NOCOPY if refused.")
    counts.setdefault("home_ballots_issued", 0)
    return SmsProtocol(station, counts, votes, copy)


def _party(code: str) -> str | None:
    """Party codes as on the ballot ("P01"); letters then digits, O/0 and I/1 forgiven in the digits."""
    m = re.fullmatch(r"([A-Z]{0,4}?)([0-9OQIL|]+)", code)
    if m is None:
        return code if re.fullmatch(r"[A-Z][A-Z0-9_]{0,15}", code) else None
    return f"{m.group(1)}{int(m.group(2).translate(_DIGITISH)):02d}"
