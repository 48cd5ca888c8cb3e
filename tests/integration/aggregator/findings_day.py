"""A scripted day for observer findings: readiness and opening checklists, each of the nine
violation types, repeated and duplicate reports, a monitor kept out and one never heard from,
and exactly the station-level figures and alerts the aggregator must make of it.

R1 holds F01-F08, R2 F09-F12, each with a monitor assigned. Minute 0 is 08:00 in Almaty; polls
opened at 07:00 (minute -60), so monitor_absent's hour is up at minute 0.
"""

from __future__ import annotations

from services.common.contracts import events as ev
from services.common.registry.stations import Region, Registry, Station
from tests.support import factories as f

V = ev.ViolationType
P = ev.ChecklistPhase
R1 = [f"F{i:02d}" for i in range(1, 9)]
R2 = [f"F{i:02d}" for i in range(9, 13)]
PRESENT = [s for s in R1 + R2 if s not in ("F07", "F08")]  # F07 kept out, F08 never heard from
READINESS = ("station_ready", "voter_list_available", "ballot_boxes_sealed", "voting_booths_private")
OPENING = (
    "monitor_allowed_to_observe", "ballot_boxes_sealed", "voter_list_available",
    "clear_view_of_ballot_box", "voting_booths_private",
)  # fmt: skip
# Rounds of sending: each hour's reports together, then the figures are awaited.
ROUNDS = tuple(range(-120, 400, 60))
# Every station present reports turnout each hour (never quiet for silent_station's 90 min);
# F07's monitor, kept out, says so each hour too.
HOURS = tuple(range(-30, 400, 60))


def registry() -> Registry:
    stations = [Station(s, "R1", f"station {s}", 1000) for s in R1]
    stations += [Station(s, "R2", f"station {s}", 1000) for s in R2]
    return Registry((Region("R1", "Region one"), Region("R2", "Region two")), tuple(stations))


def monitor(station: str) -> str:
    return f"m-{station}"


def _checklist(
    station: str, minutes: float, phase: ev.ChecklistPhase, no: tuple[str, ...] = (), n: int = 1
) -> ev.Report:
    items = READINESS if phase is P.READINESS else OPENING
    answers = {q: q not in no for q in items}
    return f.report(
        ev.Checklist(phase, answers),
        id=f"{station}-{phase.value}-{n}", station_id=station, minutes=minutes, monitor_id=monitor(station),
    )  # fmt: skip


def _incident(station: str, minutes: float, violation: ev.ViolationType, who: str = "") -> ev.Report:
    return f.report(
        ev.Incident(violation),
        id=f"{station}-i{minutes:g}", station_id=station, minutes=minutes, monitor_id=who or monitor(station),
    )  # fmt: skip


def _turnout(station: str, minutes: float, ballots: int) -> ev.Report:
    return f.turnout(
        ballots,
        5,
        id=f"{station}-t{minutes:g}",
        station_id=station,
        minutes=minutes,
        monitor_id=monitor(station),
    )


def reports() -> list[ev.Report]:
    """The day in event order, duplicates included."""
    day: list[ev.Report] = []
    # The eve (minute -900: 17:00 the day before): F02 is not ready to open.
    for s in [*PRESENT[:6], "F09", "F10"]:
        day.append(_checklist(s, -900, P.READINESS, no=("station_ready",) if s == "F02" else ()))
    # Opening: F03's box is not sealed (its earlier all-yes checklist is superseded), F04 and F05
    # have no voter list; F06's first answer (booths not private, critical) is corrected by a later
    # checklist: the findings take the latest, the alert waits for a coordinator.
    day.append(_checklist("F03", -58, P.OPENING, n=0))
    day.append(_checklist("F06", -57, P.OPENING, no=("voting_booths_private",), n=0))
    opening_no = {
        "F03": ("ballot_boxes_sealed",),
        "F04": ("voter_list_available",),
        "F05": ("voter_list_available",),
    }
    for s in [*PRESENT[:6], "F09", "F10"]:
        day.append(_checklist(s, -50 if s == "F06" else -55, P.OPENING, no=opening_no.get(s, ())))
    for k, minutes in enumerate(HOURS):
        day += [_turnout(s, minutes, 60 + 80 * k) for s in PRESENT]  # 8 pp an hour
        day.append(_incident("F07", minutes - 10, V.MONITOR_RESTRICTED))  # from the start
    day += [
        _incident("F01", 30, V.BALLOT_STUFFING),
        _incident("F01", 40, V.BALLOT_STUFFING),  # the same monitor again: one station still
        _incident("F01", 75, V.BALLOT_STUFFING, who="m-F01-second"),  # a second monitor: corroborated
        _incident("F02", 50, V.CAROUSEL_VOTING),
        _incident("F03", 60, V.FAMILY_VOTING),
        _incident("F04", 70, V.NO_CLEAR_VIEW),
        _incident("F05", 80, V.BALLOT_SECRECY),
        _incident("F06", 90, V.HOME_VOTING_ABUSE),
        _incident("F09", 100, V.ABNORMAL_TURNOUT),
        _incident("F10", 110, V.PROTOCOL_REFUSED),
        _incident("F11", 65, V.MONITOR_RESTRICTED),  # restricted mid-day, after reporting: not absent
        _incident("F12", 60, V.FAMILY_VOTING),
    ]
    day.sort(key=lambda r: (r.observed_at, r.id))
    # Sent twice: a retried incident and a retried turnout report.
    return [*day, next(r for r in day if r.id == "F12-i60"), next(r for r in day if r.id == "F09-t90")]


def distinct_reports() -> int:
    return len({r.id for r in reports()})


# (alert id, state, severity, confidence) the day must leave behind: nothing resolved by itself.
EXPECTED_ALERTS = {
    ("grave_incident:F01", "open", "critical", 0.95),
    ("grave_incident:F02", "open", "critical", 0.6),
    ("violation_reported:F03", "open", "warning", 0.6),
    ("violation_reported:F04", "open", "warning", 0.6),
    ("violation_reported:F05", "open", "warning", 0.6),
    ("violation_reported:F06", "open", "warning", 0.6),
    ("violation_reported:F07", "open", "critical", 0.6),
    ("violation_reported:F09", "open", "warning", 0.6),
    ("violation_reported:F11", "open", "critical", 0.6),
    ("violation_reported:F12", "open", "warning", 0.6),
    ("protocol_refused:F10", "open", "critical", 1.0),
    ("monitor_absent:F07", "open", "critical", 1.0),
    ("monitor_absent:F08", "open", "critical", 0.6),
    ("checklist_failed:F02", "open", "critical", 1.0),
    ("checklist_failed:F03", "open", "critical", 1.0),
    ("checklist_failed:F06", "open", "critical", 1.0),  # corrected since: held all the same
    ("checklist_region:R1", "open", "warning", 1.0),
}

# Observed stations (any report) and stations reporting each violation type, per region.
OBSERVED = {"R1": 7, "R2": 4}
VIOLATION_STATIONS = {
    "R1": {
        "ballot_stuffing": 1, "carousel_voting": 1, "family_voting": 1, "no_clear_view": 1,
        "ballot_secrecy": 1, "home_voting_abuse": 1, "monitor_restricted": 1,
    },
    "R2": {"abnormal_turnout": 1, "protocol_refused": 1, "monitor_restricted": 1, "family_voting": 1},
}  # fmt: skip
# (phase.question) -> (stations answering, answering no), per region, for the questions with a no.
CHECKLIST_NO = {
    "R1": {
        "readiness.station_ready": (6, 1),
        "opening.ballot_boxes_sealed": (6, 1),
        "opening.voter_list_available": (6, 2),
    },
    "R2": {},
}
