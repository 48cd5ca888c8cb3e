"""A scripted election day for a dozen stations, and what the aggregator must make of it."""

from __future__ import annotations

from datetime import timedelta

from services.common.contracts import events as ev
from services.common.registry.stations import Region, Registry, Station
from tests.support import factories as f

V = ev.ViolationType
R1 = [f"S{i:02d}" for i in range(1, 11)]
R2 = ["S11", "S12"]
ROUNDS = tuple(60 * k for k in range(1, 12))  # hourly, 09:00 ... 19:00 in Almaty
S01 = {5: 328, 6: 600, 7: 680, 8: 760, 9: 905, 10: 920, 11: 930}
GARBAGE = b"\x08\x96\x01 this is not a report"


def registry() -> Registry:
    stations = [Station(s, "R1", f"station {s}", 1000) for s in R1]
    stations += [Station(s, "R2", f"station {s}", 2000) for s in R2]
    return Registry((Region("R1", "Region one"), Region("R2", "Region two")), tuple(stations))


def _turnout(station: str, minutes: float, ballots: int, home: int = 0) -> ev.Report:
    return f.turnout(ballots, home, id=f"{station}-t{minutes:g}", station_id=station, minutes=minutes)


def _incident(station: str, minutes: float, violation: ev.ViolationType, monitor: str) -> ev.Report:
    return f.report(
        ev.Incident(violation),
        id=f"{station}-i{minutes:g}",
        station_id=station,
        minutes=minutes,
        monitor_id=monitor,
    )


def reports() -> list[ev.Report | bytes]:
    """The day in the order it is produced (bytes: a malformed message)."""
    day: list[ev.Report] = []
    for k, minutes in enumerate(ROUNDS, start=1):
        for i, s in enumerate(R1 + R2, start=1):
            if s == "S03" and k > 3:
                continue  # the monitor was removed after 11:00
            count = S01.get(k, 65 * k + 3 * i) if s == "S01" else 65 * k + 3 * i
            if s in R2:
                count *= 2
            day.append(_turnout(s, minutes, count, home=60 if s == "S05" else 5))
    day.append(_turnout("S01", 345, 510))
    day += [
        _incident("S02", 100, V.FAMILY_VOTING, "m1"),
        _incident("S02", 110, V.BALLOT_STUFFING, "m1"),
        _incident("S02", 120, V.BALLOT_STUFFING, "m2"),
    ]
    day.append(f.report(f.protocol(ballots_cast=700), id="S04-p", station_id="S04", minutes=715))
    day.append(f.report(f.protocol(), id="S05-p", station_id="S05", minutes=715))
    day.sort(key=lambda r: (r.observed_at, r.id))
    out: list[ev.Report | bytes] = list(day)
    # S06's 11:10 report overtakes its 11:00 one; two reports are sent twice; one is garbage.
    early = _turnout("S06", 190, 65 * 3 + 3 * 6 + 5)
    out.insert(out.index(next(r for r in day if r.id == "S06-t180")), early)
    out.insert(len(out) // 2, GARBAGE)
    out.append(next(r for r in day if r.id == "S01-t345"))
    out.append(next(r for r in day if r.id == "S05-t180"))
    return out


def distinct_reports() -> int:
    return len({r.id for r in reports() if isinstance(r, ev.Report)})


END = f.ELECTION_DAY + timedelta(minutes=715)

# (alert id, state, severity) the day must leave behind.
EXPECTED_ALERTS = {
    ("turnout_jump:S01", "resolved", "critical"),
    ("abnormal_turnout:S01", "open", "warning"),
    ("turnout_outlier:S01", "open", "warning"),
    ("incident_burst:S02", "resolved", "warning"),
    ("grave_incident:S02", "open", "critical"),  # held until a coordinator resolves it
    ("violation_reported:S02", "open", "warning"),  # family voting, one monitor
    ("home_voting:S05", "open", "warning"),
    ("protocol_inconsistent:S04", "open", "critical"),
    ("silent_station:S03", "open", "warning"),
}
