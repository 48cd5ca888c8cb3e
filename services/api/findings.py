"""Findings from station counts (pure): per violation type and per checklist question, how many
observed stations, and which share of them. Counts are stations, never reports: a station where
five reports, or two monitors, saw the same thing counts once (two monitors: `corroborated`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.api.errors import InvalidArgumentError
from services.api.repository.findings import RegionCounts
from services.common.checklist_config import ChecklistConfig
from services.common.contracts.events import StationStats, ViolationType


def share(count: int, of: int) -> float:
    """count / of as a fraction in [0, 1], rounded to 4 decimals; 0 when nothing is observed."""
    return round(count / of, 4) if of else 0.0


@dataclass(frozen=True, slots=True)
class ViolationFigure:
    violation: ViolationType
    stations: int
    corroborated: int
    share: float


@dataclass(frozen=True, slots=True)
class QuestionFigure:
    phase: str
    question: str
    critical: bool
    answered: int
    answered_no: int
    share_no: float


@dataclass(frozen=True, slots=True)
class FindingsFigures:
    region_id: str  # "" for the nation (or a scoped key's regions together)
    stations_total: int
    stations_observed: int
    violations: tuple[ViolationFigure, ...]
    checklist: tuple[QuestionFigure, ...]


def combine(counts: Iterable[RegionCounts]) -> RegionCounts:
    """The counts of several regions together (each station is in one region)."""
    out = RegionCounts()
    for c in counts:
        out.stations += c.stations
        out.observed += c.observed
        for key, (a, b) in c.violations.items():
            held = out.violations.get(key, (0, 0))
            out.violations[key] = (held[0] + a, held[1] + b)
        for key, (a, b) in c.checklist.items():
            held = out.checklist.get(key, (0, 0))
            out.checklist[key] = (held[0] + a, held[1] + b)
    return out


def station_counts(stations: Iterable[StationStats], stations_total: int) -> RegionCounts:
    """The counts of `repository.findings.region_counts` from live station stats (the hub's),
    so the findings subscription and the `findings` query count alike."""
    out = RegionCounts(stations=stations_total)
    for s in stations:
        if s.reports_processed > 0:
            out.observed += 1
            for key, answer in s.checklist.items():
                answered, no = out.checklist.get(key, (0, 0))
                out.checklist[key] = (answered + 1, no + (not answer))
        for key, count in s.incidents_total.items():
            if count > 0:
                seen, corroborated = out.violations.get(key.upper(), (0, 0))
                two = s.violation_monitors.get(key, 0) >= 2
                out.violations[key.upper()] = (seen + 1, corroborated + two)
    return out


def figures(region_id: str, c: RegionCounts, questions: ChecklistConfig) -> FindingsFigures:
    """Every violation type and every question of the checklists file, a zero where none."""
    violations = []
    for v in ViolationType:
        stations, corroborated = c.violations.get(v.name, (0, 0))
        violations.append(ViolationFigure(v, stations, corroborated, share(stations, c.observed)))
    checklist = []
    for q in questions.questions:
        answered, no = c.checklist.get(q.key, (0, 0))
        checklist.append(QuestionFigure(q.phase.value, q.id, q.critical, answered, no, share(no, c.observed)))
    return FindingsFigures(region_id, c.stations, c.observed, tuple(violations), tuple(checklist))


def violation_filter(code: str) -> str:
    """The type name a findings cell's `violation` code counts under (stations' filter)."""
    try:
        return ViolationType(code).name
    except ValueError:
        known = ", ".join(v.value for v in ViolationType)
        raise InvalidArgumentError(
            f"unknown violation {code!r} (one of {known})", argument="violation"
        ) from None


def checklist_filter(key: str, questions: ChecklistConfig) -> str:
    """A findings cell's "<phase>.<question>", checked against the checklists file."""
    if key not in {q.key for q in questions.questions}:
        raise InvalidArgumentError(
            f"unknown checklist question {key!r} (as <phase>.<question>, e.g. opening.ballot_boxes_sealed)",
            argument="checklistNo",
        )
    return key
