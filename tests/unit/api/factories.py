"""Plain typed factories for the API's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common.contracts import events as ev

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def station_stats(
    station_id: str = "S1", region_id: str = "R1", ballots: int = 10, minute: int = 0
) -> ev.StationStats:
    return ev.StationStats(
        station_id=station_id,
        region_id=region_id,
        registered_voters=1000,
        ballots_issued=ballots,
        turnout_pct=ballots / 10,
        turnout_rate_pp_per_hour=1.0,
        home_voting_applications=0,
        home_voting_pct=0.0,
        incidents_total={},
        incidents_recent={},
        last_report_at=T0 + timedelta(minutes=minute),
        open_alerts=0,
        protocol=None,
        reports_processed=1,
        updated_at=T0 + timedelta(minutes=minute),
    )


def alert(
    alert_id: str = "A1",
    severity: ev.Severity = ev.Severity.WARNING,
    region_id: str = "R1",
    state: ev.AlertState = ev.AlertState.OPEN,
) -> ev.Alert:
    return ev.Alert(
        id=alert_id,
        rule="turnout_spike",
        severity=severity,
        state=state,
        transition=ev.AlertTransition.OPENED if state is ev.AlertState.OPEN else ev.AlertTransition.RESOLVED,
        station_id="S1",
        region_id=region_id,
        value=5.0,
        threshold=3.0,
        message="turnout rose fast",
        report_ids=("r1",),
        opened_at=T0,
        updated_at=T0,
    )


def region_stats(
    region_id: str = "R1", ballots: int = 10, turnout_pct: float = 1.0, stations: int = 1, minute: int = 0
) -> ev.RegionStats:
    return ev.RegionStats(
        region_id=region_id,
        stations_total=stations,
        stations_reporting=stations,
        stations_silent=0,
        registered_voters=1000 * stations,
        ballots_issued=ballots,
        turnout_pct=turnout_pct,
        turnout_rate_pp_per_hour=1.0,
        home_voting_pct=0.0,
        incidents_per_100_stations=0.0,
        incidents_total={},
        open_alerts=0,
        updated_at=T0 + timedelta(minutes=minute),
    )
