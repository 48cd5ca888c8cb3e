"""The checklist questions per phase (readiness, opening, closing) and the region alert threshold,
read from services/aggregator/rules/checklists.yaml: one file for the aggregator's findings and
alerts, the API's findings and the monitor app's forms.

A question's id is a checklist item; its text in every language is the message catalog's
`checklist` section, so the file holds codes only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.common.contracts.events import ChecklistPhase
from services.common.infra.errors import SettingsError

CHECKLISTS_FILE = Path(__file__).resolve().parent.parent / "aggregator" / "rules" / "checklists.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChecklistQuestion(_Frozen):
    """A question of one phase; `critical`: a "no" means the station cannot be observed or the
    vote is compromised (a station alert, checklist_failed)."""

    id: str = Field(min_length=1)
    phase: ChecklistPhase
    critical: bool = False

    @property
    def key(self) -> str:
        """ "<phase>.<id>", as station figures key their latest answers."""
        return f"{self.phase.value}.{self.id}"


class RegionAlert(_Frozen):
    share_pct: float = Field(default=25.0, gt=0, le=100)
    min_observed: int = Field(default=4, ge=1)


class ChecklistConfig(_Frozen):
    questions: tuple[ChecklistQuestion, ...]
    region_alert: RegionAlert = RegionAlert()

    @model_validator(mode="after")
    def _unique(self) -> ChecklistConfig:
        keys = [q.key for q in self.questions]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"questions asked twice in a phase: {', '.join(twice)}")
        return self

    def of(self, phase: ChecklistPhase) -> tuple[ChecklistQuestion, ...]:
        return tuple(q for q in self.questions if q.phase is phase)

    def critical(self, phase: str, question: str) -> bool:
        return any(q.critical and q.phase.value == phase and q.id == question for q in self.questions)


def parse_checklists(raw: object) -> ChecklistConfig:
    """The file's structure (`phases: {phase: [{id, critical}]}`, `region_alert`) as a config."""
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping with `phases`")
    phases = raw.get("phases") or {}
    if not isinstance(phases, dict):
        raise ValueError("`phases` must map a phase to its questions")
    questions = [
        {**item, "phase": phase} if isinstance(item, dict) else item
        for phase, items in phases.items()
        for item in items or ()
    ]
    rest = {k: v for k, v in raw.items() if k != "phases"}
    return ChecklistConfig.model_validate({"questions": questions, **rest})


@cache
def load_checklists(path: Path = CHECKLISTS_FILE) -> ChecklistConfig:
    """Reads and validates the checklist file; SettingsError names the file and the bad key."""
    try:
        return parse_checklists(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError, ValidationError) as exc:
        raise SettingsError(f"checklists file {path}: {exc}") from None
