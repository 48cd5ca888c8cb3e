"""What a parsed SMS says: one command per form, help, or why it was not understood."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.common.contracts import events as ev


@dataclass(frozen=True, slots=True)
class StationRef:
    """What the monitor typed for the station: a number ("0123") or a full code ("ALA-0123");
    a prefix typed in Cyrillic is kept folded (`sms_letters.prefix_matches` reads it)."""

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
    code: str  # the Latin code, whatever script it was typed in
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
    topic: str = ""  # a form letter of REPORT_FORMS, or "" for the overview


@dataclass(frozen=True, slots=True)
class SmsError:
    """Why a text was not saved: a code (the dead-letter reason) and what the reply quotes."""

    code: str
    form: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


SmsCommand = SmsTurnout | SmsIncident | SmsChecklist | SmsProtocol | SmsHelp


@dataclass(frozen=True, slots=True)
class SmsReading:
    command: SmsCommand | SmsError
    kazakh: bool  # a word only Kazakh uses was read: a reason to answer in Kazakh
