"""The alert-rule configuration, as a frozen pydantic model with the documented defaults.

Rules come in per-election profiles, one YAML file each in services/aggregator/rules/ (`demo`,
the Kazakhstan demo network's, holds the defaults; the others are tuned to a real election the
replay sends, e.g. `ru-2011-duma`). docs/aggregator.md says how each is chosen.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.checklist_config import CHECKLISTS_FILE, ChecklistConfig, load_checklists
from services.common.contracts.events import Severity, ViolationType
from services.common.infra.errors import SettingsError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
DEFAULT_PROFILE = "demo"
DEFAULT_RULES_FILE = RULES_DIR / f"{DEFAULT_PROFILE}.yaml"


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


class RegionRelative(_Frozen):
    """Judges a station against its region's stations in the same reporting round: robust z
    (median/MAD, MAD floored) at least `z`, among at least `min_stations` (as turnout_outlier)."""

    z: float = Field(default=3.5, gt=0)
    min_stations: int = Field(default=8, ge=3)
    mad_floor_pp: float = Field(default=1.0, gt=0)
    round_minutes: float = Field(default=30.0, gt=0)


class HomeVoting(TwoLevel):
    """Applications as a share of registered voters. With `region`, a share above a threshold
    fires only where it also stands out from the station's region (a country where the mobile
    box is common everywhere is not a country of alerts)."""

    region: RegionRelative | None = None


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
    """Ballot stuffing and carousel voting: critical on one report, held open until a person
    resolves it (a report is evidence of a deed done, not a level that can go back down)."""

    enabled: bool = True
    violations: tuple[str, ...] = ("ballot_stuffing", "carousel_voting")
    confidence_single: float = Field(default=0.6, ge=0, le=1)
    confidence_corroborated: float = Field(default=0.95, ge=0, le=1)


class ViolationReported(_Frozen):
    """Every other violation type monitors report, with its severity: an alert per station on
    one report, confidence raised by a second monitor, held open like a grave incident."""

    enabled: bool = True
    severities: dict[ViolationType, Severity] = Field(
        default_factory=lambda: {
            ViolationType.FAMILY_VOTING: Severity.WARNING,
            ViolationType.MONITOR_RESTRICTED: Severity.CRITICAL,
            ViolationType.NO_CLEAR_VIEW: Severity.WARNING,
            ViolationType.BALLOT_SECRECY: Severity.WARNING,
            ViolationType.HOME_VOTING_ABUSE: Severity.WARNING,
            ViolationType.ABNORMAL_TURNOUT: Severity.WARNING,
        }
    )
    confidence_single: float = Field(default=0.6, ge=0, le=1)
    confidence_corroborated: float = Field(default=0.95, ge=0, le=1)


class MonitorAbsent(_Frozen):
    """A station with a monitor assigned that, `minutes` after polls opened, has sent nothing
    from inside: no report at all, or only "monitor restricted" incidents."""

    enabled: bool = True
    minutes: float = Field(default=60.0, gt=0)


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
    home_voting: HomeVoting = HomeVoting(warning=5.0, critical=15.0)
    incident_burst: IncidentBurst = IncidentBurst()
    grave_incident: GraveIncident = GraveIncident()
    violation_reported: ViolationReported = ViolationReported()
    monitor_absent: MonitorAbsent = MonitorAbsent()
    silent_station: SilentStation = SilentStation()
    protocol_refused: Toggle = Toggle()
    protocol_inconsistent: Toggle = Toggle()
    # Not in a profile: the checklists file beside them (services/common/checklist_config.py).
    checklists: ChecklistConfig = Field(default_factory=load_checklists, exclude=True)


def profiles(rules_dir: Path = RULES_DIR) -> list[str]:
    """The profile names in `rules_dir`: its YAML files' stems (not the checklists file's)."""
    return sorted(p.stem for p in rules_dir.glob("*.yaml") if p.name != CHECKLISTS_FILE.name)


def profile_file(name: str, rules_dir: Path = RULES_DIR) -> Path:
    """The file of profile `name`; SettingsError lists the profiles there when it is unknown."""
    path = rules_dir / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(profiles(rules_dir)) or "none"
        raise SettingsError(f"no rules profile {name!r} in {rules_dir} (profiles: {known})")
    return path


def load_rules(path: Path = DEFAULT_RULES_FILE) -> RulesConfig:
    """Reads and validates a rules file; SettingsError names the file and each bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return RulesConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise SettingsError(f"rules file {path}: {exc}") from None
