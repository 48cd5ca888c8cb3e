"""Alert transitions for the notifier's tests."""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.contracts import events as ev


def alert(
    alert_id: str = "A1",
    severity: ev.Severity = ev.Severity.CRITICAL,
    transition: ev.AlertTransition = ev.AlertTransition.OPENED,
    rule: str = "grave_incident",
    region_id: str = "ALA",
    station_id: str = "ALA-0001",
    version: int = 1,
    at: datetime | None = None,
) -> ev.Alert:
    at = at or datetime.now(UTC)
    resolved = transition is ev.AlertTransition.RESOLVED
    return ev.Alert(
        id=alert_id,
        rule=rule,
        severity=severity,
        state=ev.AlertState.RESOLVED if resolved else ev.AlertState.OPEN,
        transition=transition,
        station_id=station_id,
        region_id=region_id,
        value=1.0,
        threshold=1.0,
        message="ballot stuffing reported by one monitor",
        report_ids=("r1",),
        opened_at=at,
        updated_at=at,
        resolved_at=at if resolved else None,
        version=version,
        texts=(ev.AlertText("grave_incident.single", {"violation": "ballot_stuffing"}),),
    )
