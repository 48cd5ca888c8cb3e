"""What the read model must hold for the reports acknowledged so far: the aggregator's own pure
domain applied to them, per station in the order the aggregator read them (Kafka's), exactly as
the station agent applies them (services/aggregator/station_agent.py, `handle`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.aggregator.domain import station_rules
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_rules import HELD, evaluate
from services.aggregator.domain.station_state import Applied, StationInfo, StationState
from services.aggregator.domain.station_view import at
from services.aggregator.registry import info_for
from services.common.contracts import events as ev

# The rules a station's own reports decide; silence and outliers also hang on the wall clock
# and on other stations (region agent), so only their consistency is checked.
STATION_RULES = frozenset(
    {
        station_rules.ABNORMAL_TURNOUT,
        station_rules.TURNOUT_JUMP,
        station_rules.HOME_VOTING,
        station_rules.INCIDENT_BURST,
        station_rules.GRAVE_INCIDENT,
        station_rules.PROTOCOL_REFUSED,
        station_rules.PROTOCOL_INCONSISTENT,
        station_rules.VIOLATION_REPORTED,
        station_rules.CHECKLIST_FAILED,
    }
)


def transition_key(alert: ev.Alert) -> tuple[object, ...]:
    """What identifies a transition's content (times are event times, so replays agree)."""
    return (
        alert.transition.value,
        alert.state.value,
        alert.severity.value,
        alert.report_ids,
        alert.updated_at,
        alert.confidence,
    )


@dataclass
class Expected:
    registry: dict[str, StationInfo]
    rules: RulesConfig
    states: dict[str, StationState] = field(default_factory=dict)
    # (alert id, version) -> the transition the station agent must have sent.
    transitions: dict[tuple[str, int], ev.Alert] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)

    def apply(self, reports: Iterable[ev.Report]) -> None:
        """Applies reports not applied yet; each station's must come in the aggregator's order."""
        dedup_s = self.rules.windows.dedup_hours * 3600
        for report in reports:
            if report.id in self.applied:
                continue
            self.applied.add(report.id)
            state = self.states.setdefault(report.station_id, StationState(report.station_id))
            outcome = state.apply(report, dedup_s)
            if outcome is not Applied.NEW or state.last_at is None:
                continue
            info = info_for(self.registry, report.station_id)
            conditions = evaluate(state, info, self.rules, report)
            # Held rules (what a monitor saw happen) stay open until a person decides, as in the agent.
            moved = state.alerts.step(report.station_id, info.region_id, conditions, at(state.last_at), HELD)
            for alert in moved:
                self.transitions[(alert.id, alert.version)] = alert

    def final_alerts(self) -> dict[str, ev.Alert]:
        """Each alert id's latest transition."""
        latest: dict[str, ev.Alert] = {}
        for (alert_id, version), alert in self.transitions.items():
            if alert_id not in latest or latest[alert_id].version < version:
                latest[alert_id] = alert
        return latest
