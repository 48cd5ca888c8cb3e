"""Plans a realistic election day for a registry of stations: pure, seeded, no I/O.

Every figure in the ground truth is what the reports imply, exactly: the last turnout report
of a station equals its protocol's ballots issued, and nothing random is left out of the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.common.contracts import events as ev
from services.common.registry.stations import Station
from services.simulator.curve import POLLS_OPEN_HOURS, cumulative_share
from services.simulator.scenario import Day, Irregularity, PlannedReport, StationTruth

# Minor incidents any station may see; grave ones come only with an injected irregularity.
MINOR = (
    ev.ViolationType.FAMILY_VOTING,
    ev.ViolationType.NO_CLEAR_VIEW,
    ev.ViolationType.BALLOT_SECRECY,
    ev.ViolationType.MONITOR_RESTRICTED,
    ev.ViolationType.OTHER,
)
PARTIES = ("P01", "P02", "P03", "P04", "P05")
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class DayOptions:
    opening: datetime  # polls open (timezone-aware), in the election's zone
    run_id: str  # makes report ids unique across runs
    seed: int = 2012
    irregular_share: float = 0.1
    turnout_interval_minutes: int = 60
    sms_share: float = 0.1
    minor_incident_rate: float = 0.3
    # Region id -> when polls open there on its own clock (local_day.local_openings); others
    # open at `opening`.
    local_openings: dict[str, datetime] = field(default_factory=dict)
    # Regions where every station's opening checklist fails (boxes not sealed) instead of the
    # usual mix: a region-wide failure, for checklist_region (bench/findings_bench.py).
    failing_regions: frozenset[str] = frozenset()


class _Planner:
    def __init__(self, options: DayOptions, station: Station, rng: random.Random) -> None:
        self.o, self.s, self.rng = options, station, rng
        self.opening = options.local_openings.get(station.region_id, options.opening)
        self.reports: list[PlannedReport] = []

    def add(self, at: datetime, body: ev.ReportBody, sms: bool = False) -> None:
        n = len(self.reports) + 1
        self.reports.append(PlannedReport(at, f"{self.o.run_id}-{self.s.id}-{n:03d}", self.s.id, body, sms))

    def plan(self, irregularities: tuple[Irregularity, ...]) -> StationTruth:
        o, s, rng, opening = self.o, self.s, self.rng, self.opening
        removed = Irregularity.MONITOR_REMOVED in irregularities
        stuffing = Irregularity.BALLOT_STUFFING in irregularities
        registered = s.registered_voters
        organic = round(registered * min(0.72, max(0.3, rng.gauss(0.58, 0.07))))
        # Ballot stuffing: 18-25 points of the register added between 17:30 and 18:30.
        stuffed = round(registered * rng.uniform(0.18, 0.25)) if stuffing else 0
        stuff_at = rng.uniform(10.5, 11.5)
        home_share = (
            rng.uniform(0.16, 0.24)
            if Irregularity.HOME_VOTING in irregularities
            else rng.uniform(0.005, 0.03)
        )
        home_total = round(registered * home_share)
        silent_from = rng.uniform(4.0, 5.0) if removed else POLLS_OPEN_HOURS + 10

        if Irregularity.MONITOR_BARRED in irregularities:
            return StationTruth(s.id, s.region_id, registered, 0, 0, None, irregularities)
        checklist = {"station_ready": True, "voter_list_available": True, "monitor_allowed_to_observe": True}
        self.add(opening - 13 * HOUR, ev.Checklist(ev.ChecklistPhase.READINESS, checklist))
        at_opening = {**checklist, "ballot_boxes_sealed": Irregularity.CHECKLIST_FAILED not in irregularities}
        self.add(opening + rng.uniform(0, 0.3) * HOUR, ev.Checklist(ev.ChecklistPhase.OPENING, at_opening))

        issued = home = 0
        step = o.turnout_interval_minutes / 60
        hours = [step * k for k in range(1, int(POLLS_OPEN_HOURS / step) + 1)]
        if hours[-1] < POLLS_OPEN_HOURS:
            hours.append(POLLS_OPEN_HOURS)
        for h in hours:
            if h >= silent_from:
                break
            jump = stuffed if h >= stuff_at else 0
            issued = round(organic * cumulative_share(h)) + jump
            home = round(home_total * min(1.0, h / 7))
            self.add(opening + h * HOUR, ev.TurnoutUpdate(issued, home), sms=rng.random() < o.sms_share)

        self._incidents(irregularities, min(silent_from, POLLS_OPEN_HOURS))
        if removed:
            self.add(
                opening + (silent_from - 0.5) * HOUR,
                ev.Incident(ev.ViolationType.MONITOR_RESTRICTED, "Asked to leave the station"),
            )
            return StationTruth(s.id, s.region_id, registered, issued, home, None, irregularities)

        self.add(
            opening + (POLLS_OPEN_HOURS + 0.2) * HOUR, ev.Checklist(ev.ChecklistPhase.CLOSING, checklist)
        )
        protocol = self._protocol(issued, stuffed, irregularities)
        if not protocol.copy_received:
            self.add(
                opening + (POLLS_OPEN_HOURS + 0.9) * HOUR,
                ev.Incident(ev.ViolationType.PROTOCOL_REFUSED, "Commission refused the protocol copy"),
            )
        self.add(opening + (POLLS_OPEN_HOURS + rng.uniform(1.0, 2.5)) * HOUR, protocol)
        return StationTruth(s.id, s.region_id, registered, issued, home, protocol, irregularities)

    def _incidents(self, irregularities: tuple[Irregularity, ...], until: float) -> None:
        o, rng = self.o, self.rng
        # At most two minor incidents, 45+ minutes apart: never a burst at a clean station.
        count = sum(rng.random() < o.minor_incident_rate for _ in range(2))
        start = rng.uniform(0.5, max(0.6, until - 2))
        for i in range(count):
            at = start + 0.75 * i
            if at < until:
                kind = rng.choice(MINOR)
                self.add(self.opening + at * HOUR, ev.Incident(kind, f"{kind.value.replace('_', ' ')} seen"))
        grave = {
            Irregularity.CAROUSEL: (ev.ViolationType.CAROUSEL_VOTING, 6.0, "Same voters came back twice"),
            Irregularity.BALLOT_STUFFING: (
                ev.ViolationType.BALLOT_STUFFING,
                11.6,
                "Stack of ballots in box 1",
            ),
            Irregularity.HOME_VOTING: (ev.ViolationType.HOME_VOTING_ABUSE, 7.5, "Mobile box list very long"),
        }
        for irregularity, (kind, at, text) in grave.items():
            if irregularity in irregularities:
                self.add(self.opening + at * HOUR, ev.Incident(kind, text))
        if Irregularity.BALLOT_STUFFING in irregularities:
            self.add(
                self.opening + 12.0 * HOUR,
                ev.Incident(ev.ViolationType.ABNORMAL_TURNOUT, "Queue empty, count high"),
            )

    def _protocol(
        self, issued: int, stuffed: int, irregularities: tuple[Irregularity, ...]
    ) -> ev.FinalProtocol:
        rng = self.rng
        cast = issued - rng.randint(0, min(2, issued))
        invalid = round(cast * rng.uniform(0.005, 0.025))
        valid = cast - invalid
        weights = [rng.uniform(0.35, 0.55)] + [rng.uniform(0.05, 0.2) for _ in PARTIES[1:]]
        organic_valid = max(0, valid - stuffed)
        votes = [int(organic_valid * w / sum(weights)) for w in weights]
        votes[0] += valid - sum(votes)  # the leader takes the rounding and every stuffed ballot
        if Irregularity.PROTOCOL_INCONSISTENT in irregularities:
            valid += 7  # valid + invalid no longer equals cast
        return ev.FinalProtocol(
            registered_voters=self.s.registered_voters,
            ballots_received=self.s.registered_voters + rng.randint(20, 80),
            ballots_issued=issued,
            ballots_cast=cast,
            valid_ballots=valid,
            invalid_ballots=invalid,
            votes=dict(zip(PARTIES, votes, strict=True)),
            copy_received=Irregularity.PROTOCOL_REFUSED not in irregularities,
            home_ballots_issued=round(issued * 0.02),
        )


def plan_day(stations: list[Station], options: DayOptions) -> Day:
    """The whole day for `stations`, irregularities at `irregular_share` of them, one kind each."""
    rng = random.Random(options.seed)
    kinds = list(Irregularity)
    openings = [options.opening, *options.local_openings.values()]
    day = Day(opening=min(openings), closing=max(openings) + POLLS_OPEN_HOURS * HOUR)
    for index, station in enumerate(stations):
        irregular = rng.random() < options.irregular_share
        injected = (kinds[index % len(kinds)],) if irregular else ()
        if station.region_id in options.failing_regions:
            injected = (Irregularity.CHECKLIST_FAILED,)
        planner = _Planner(options, station, random.Random(rng.getrandbits(64)))
        day.truth[station.id] = planner.plan(injected)
        day.reports.extend(planner.reports)
    day.reports.sort(key=lambda r: (r.observed_at, r.report_id))
    return day
