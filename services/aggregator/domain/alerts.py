"""The alert state machine: at most one open alert per rule and subject, with a lifecycle.

A rule evaluation yields a Condition (firing) or None (clear). `AlertBook.step` turns that into
transitions: OPENED when a clear rule fires, UPDATED when severity, confidence or the reports
behind it change, RESOLVED when it clears, with the reason among its texts. A rule in `held`
(what a monitor saw happen) never clears by itself: its alert stays open until a person resolves
it (the API's resolveAlert). A reopened alert gets a new id (occurrence suffix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.common import catalog
from services.common.contracts.events import Alert, AlertState, AlertText, AlertTransition, Severity


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule that fires: how badly, on what value against which threshold, and why (`texts`:
    catalog keys and parameters, which readers' clients render in their language)."""

    severity: Severity
    value: float
    threshold: float
    texts: tuple[AlertText, ...]
    report_ids: tuple[str, ...] = ()
    confidence: float = 1.0
    # Incident rules gather evidence: each new report behind them is an UPDATED transition.
    # Value rules (turnout above a threshold) update only when severity or confidence change.
    gathers_reports: bool = False

    @property
    def message(self) -> str:
        """The English text of the alert's `message` (rendered only when an alert changes)."""
        return catalog.message(self.texts, catalog.Lang.EN)


# The reason a resolved alert records when its rule cleared without anyone deciding.
RESOLVED_BY_ITSELF = "resolved.condition_cleared"


def alert_id(rule: str, subject: str, occurrence: int) -> str:
    base = f"{rule}:{subject}"
    return base if occurrence <= 1 else f"{base}:{occurrence}"


@dataclass(slots=True)
class AlertBook:
    """Open alerts and occurrence counts of one subject (a station), by rule."""

    open: dict[str, Alert] = field(default_factory=dict)
    occurrences: dict[str, int] = field(default_factory=dict)

    def step(
        self,
        station_id: str,
        region_id: str,
        conditions: Mapping[str, Condition | None],
        now: datetime,
        held: frozenset[str] = frozenset(),
    ) -> list[Alert]:
        """Applies one evaluation of the given rules (others are left alone); returns transitions.
        An open alert of a rule in `held` whose condition cleared stays open, unchanged. A
        region's own alerts have no station (`station_id` ""): the region is their subject."""
        out: list[Alert] = []
        for rule in sorted(conditions):
            cond = conditions[rule]
            current = self.open.get(rule)
            if current is None and cond is not None:
                n = self.occurrences.get(rule, 0) + 1
                self.occurrences[rule] = n
                alert = Alert(
                    id=alert_id(rule, station_id or region_id, n),
                    rule=rule,
                    severity=cond.severity,
                    state=AlertState.OPEN,
                    transition=AlertTransition.OPENED,
                    station_id=station_id,
                    region_id=region_id,
                    value=cond.value,
                    threshold=cond.threshold,
                    message=cond.message,
                    report_ids=cond.report_ids,
                    opened_at=now,
                    updated_at=now,
                    confidence=cond.confidence,
                    version=1,
                    texts=cond.texts,
                )
                self.open[rule] = alert
                out.append(alert)
            elif current is not None and cond is None and rule not in held:
                del self.open[rule]
                texts = (*current.texts, AlertText(RESOLVED_BY_ITSELF, {"rule": rule}))
                out.append(
                    replace(
                        current,
                        state=AlertState.RESOLVED,
                        transition=AlertTransition.RESOLVED,
                        updated_at=now,
                        resolved_at=now,
                        texts=texts,
                        message=catalog.message(texts, catalog.Lang.EN, resolved=True),
                        version=current.version + 1,
                    )
                )
            elif current is not None and cond is not None and _changed(current, cond):
                alert = replace(
                    current,
                    transition=AlertTransition.UPDATED,
                    severity=cond.severity,
                    value=cond.value,
                    threshold=cond.threshold,
                    message=cond.message,
                    texts=cond.texts,
                    report_ids=cond.report_ids,
                    confidence=cond.confidence,
                    updated_at=max(now, current.updated_at),
                    version=current.version + 1,
                )
                self.open[rule] = alert
                out.append(alert)
        return out

    def count_open(self) -> int:
        return len(self.open)


def _changed(alert: Alert, cond: Condition) -> bool:
    return (
        alert.severity != cond.severity
        or alert.confidence != cond.confidence
        or (cond.gathers_reports and set(alert.report_ids) != set(cond.report_ids))
    )
