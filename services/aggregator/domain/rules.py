"""The alert-rule configuration (rules.yaml), as a frozen pydantic model with the documented defaults."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.errors import SettingsError

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "rules.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TwoLevel(_Frozen):
    """A value rule with a warning and a critical threshold (critical >= warning)."""

    enabled: bool = True
    warning: float
    critical: float

    @model_validator(mode="after")
    def _ordered(self) -> TwoLevel:
        if self.critical < self.warning:
            raise ValueError("critical threshold must not be below the warning threshold")
        return self


class TurnoutJump(_Frozen):
    enabled: bool = True
    rise_pp: float = Field(default=15.0, gt=0)
    window_minutes: float = Field(default=60.0, gt=0)


class TurnoutOutlier(_Frozen):
    enabled: bool = True
    z: float = Field(default=3.5, gt=0)
    min_stations: int = Field(default=8, ge=3)
    min_turnout_pp: float = Field(default=5.0, ge=0)
    mad_floor_pp: float = Field(default=1.0, gt=0)
    round_minutes: float = Field(default=30.0, gt=0)


class IncidentBurst(_Frozen):
    enabled: bool = True
    count: int = Field(default=3, ge=1)
    window_minutes: float = Field(default=30.0, gt=0)


class GraveIncident(_Frozen):
    enabled: bool = True
    violations: tuple[str, ...] = ("ballot_stuffing", "carousel_voting")
    open_minutes: float = Field(default=180.0, gt=0)
    confidence_single: float = Field(default=0.6, ge=0, le=1)
    confidence_corroborated: float = Field(default=0.95, ge=0, le=1)


class SilentStation(_Frozen):
    enabled: bool = True
    minutes: float = Field(default=90.0, gt=0)


class Toggle(_Frozen):
    enabled: bool = True


class Polls(_Frozen):
    """When polls are open, in the election's local time zone."""

    timezone: str = "Asia/Almaty"
    open: time = time(7, 0)
    close: time = time(20, 0)


class Windows(_Frozen):
    rate_minutes: float = Field(default=60.0, gt=0)
    rate_step_minutes: float = Field(default=5.0, gt=0)
    incidents_recent_minutes: float = Field(default=60.0, gt=0)
    grace_minutes: float = Field(default=5.0, ge=0)
    dedup_hours: float = Field(default=36.0, gt=0)


class RulesConfig(_Frozen):
    polls: Polls = Polls()
    windows: Windows = Windows()
    abnormal_turnout: TwoLevel = TwoLevel(warning=90.0, critical=99.0)
    turnout_jump: TurnoutJump = TurnoutJump()
    turnout_outlier: TurnoutOutlier = TurnoutOutlier()
    home_voting: TwoLevel = TwoLevel(warning=5.0, critical=15.0)
    incident_burst: IncidentBurst = IncidentBurst()
    grave_incident: GraveIncident = GraveIncident()
    silent_station: SilentStation = SilentStation()
    protocol_refused: Toggle = Toggle()
    protocol_inconsistent: Toggle = Toggle()


def load_rules(path: Path = DEFAULT_RULES_FILE) -> RulesConfig:
    """Reads and validates a rules file; SettingsError names the file and each bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return RulesConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise SettingsError(f"rules file {path}: {exc}") from None
