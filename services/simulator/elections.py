"""The elections a replay knows: dates, polls hours, each region's time zone, and when monitors
report turnout.

A replay stamps each report with the local time of its station's region on the election's
date(s), with tzdata's offset for that date (Moscow was UTC+4 in 2011-2012, UTC+3 in 2024).
The aggregator's rules profile of the same name (services/aggregator/rules/<key>.yaml) is
tuned to the schedule: its silence threshold lies above the longest quiet spell the schedule
leaves while polls are open (tests/unit/simulator/test_elections.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from services.common.registry.demo_registry import demo_zones
from services.simulator import russia_regions

# Turnout reports at the hours the Russian CEC publishes turnout (local time), then the count
# at closing.
_CEC_HOURS = (10.0, 12.0, 15.0, 18.0)


class UnknownElectionError(ValueError):
    """No election matches a file, or a region of the file has no time zone."""


@dataclass(frozen=True, slots=True)
class Election:
    key: str  # also the name of the aggregator's rules profile for it
    title: str
    days: tuple[date, ...]
    opens: time
    closes: time
    # Local hours of the turnout reports, per day; the last day's closing count is added.
    turnout_hours: tuple[tuple[float, ...], ...]
    # Share of the final turnout reached by the close of each day (the last is 1).
    day_shares: tuple[float, ...] = (1.0,)
    zone: str | None = None  # for regions not in `region_zones`; None: every region must be listed
    region_zones: Mapping[str, str] = field(default_factory=dict)
    cities: frozenset[str] = frozenset()  # region names that are cities
    files: tuple[str, ...] = ()  # dataset file or folder names (../shared/data) it is the election of
    protocol_after: timedelta = timedelta(minutes=90)

    def zone_name(self, region: str) -> str:
        """The IANA zone of a region (by its name in the file)."""
        name = self.region_zones.get(region, self.zone)
        if name is None:
            raise UnknownElectionError(f"{self.key}: no time zone for region {region!r}")
        return name

    def zone_of(self, region: str) -> ZoneInfo:
        return ZoneInfo(self.zone_name(region))

    @property
    def polls_hours(self) -> float:
        return (self.closes.hour * 60 + self.closes.minute - self.opens.hour * 60 - self.opens.minute) / 60

    def local(self, day: int, hour: float, zone: ZoneInfo) -> datetime:
        start = datetime.combine(self.days[day], time(0), zone)
        return start + timedelta(hours=hour)

    def turnout_schedule(self) -> list[tuple[int, float]]:
        """(day, local hour) of every turnout report, in order, the closing count last."""
        close = self.closes.hour + self.closes.minute / 60
        out = [(day, hour) for day, hours in enumerate(self.turnout_hours) for hour in hours]
        if out[-1] != (len(self.days) - 1, close):
            out.append((len(self.days) - 1, close))
        return out

    def longest_quiet_minutes(self) -> float:
        """The longest time polls are open with no report due: from opening to the day's first
        report, between two reports, from the last to closing (a day's close ends the quiet)."""
        opens = self.opens.hour + self.opens.minute / 60
        close = self.closes.hour + self.closes.minute / 60
        longest = 0.0
        for day in range(len(self.days)):
            hours = [h for d, h in self.turnout_schedule() if d == day]
            marks = [opens, *hours, close]
            longest = max(longest, *(b - a for a, b in pairwise(marks)))
        return longest * 60


def _russia(
    key: str,
    title: str,
    days: tuple[date, ...],
    turnout_hours: tuple[tuple[float, ...], ...],
    file: str,
    day_shares: tuple[float, ...] = (1.0,),
) -> Election:
    """Polls 08:00-20:00 local; every region listed in russia_regions.ZONES."""
    return Election(
        key=key,
        title=title,
        days=days,
        opens=time(8),
        closes=time(20),
        turnout_hours=turnout_hours,
        day_shares=day_shares,
        region_zones=russia_regions.ZONES,
        cities=russia_regions.CITIES,
        files=(file,),
    )


ELECTIONS: tuple[Election, ...] = (
    _russia(
        "ru-2011-duma",
        "Russia, State Duma, 4 December 2011",
        (date(2011, 12, 4),),
        turnout_hours=(_CEC_HOURS,),
        file="2011.csv.zip",
    ),
    _russia(
        "ru-2012-president",
        "Russia, President, 4 March 2012",
        (date(2012, 3, 4),),
        turnout_hours=(_CEC_HOURS,),
        file="2012.csv.zip",
    ),
    _russia(
        "ru-2024-president",
        "Russia, President, 15-17 March 2024",
        (date(2024, 3, 15), date(2024, 3, 16), date(2024, 3, 17)),
        # Three rounds a day; the CEC's running totals were ~35 % of the register after the
        # first day and ~59 % after the second, of ~77 % in the end.
        turnout_hours=((10.0, 15.0, 20.0), (10.0, 15.0, 20.0), (10.0, 15.0)),
        file="2024.csv.zip",
        day_shares=(0.46, 0.76, 1.0),
    ),
    Election(
        key="bg-2021-parliament",
        title="Bulgaria, National Assembly, 11 July 2021",
        days=(date(2021, 7, 11),),
        opens=time(7),
        closes=time(20),
        turnout_hours=((10.0, 13.0, 16.0, 19.0),),
        # Sections abroad ("Извън страната") report on Sofia time: the file has no country zone.
        zone="Europe/Sofia",
        files=("bulgaria_opendata", "20210711_41_protocols.csv"),
    ),
    Election(
        key="ro-2024-local",
        title="Romania, local elections (mayors), 9 June 2024",
        days=(date(2024, 6, 9),),
        opens=time(7),
        closes=time(21),
        turnout_hours=((10.0, 13.0, 16.0, 19.0),),
        zone="Europe/Bucharest",
        files=("merged_PVs-P.csv",),
    ),
    Election(
        # The demo network's setting (services/common/registry/demo_registry.py): Kazakhstan's Majilis
        # election; for replaying a pollwatch protocols export of it. Monitors report hourly.
        key="demo",
        title="Kazakhstan, Majilis, 15 January 2012 (the demo network)",
        days=(date(2012, 1, 15),),
        opens=time(7),
        closes=time(20),
        turnout_hours=(tuple(float(h) for h in range(8, 20)),),
        zone="Asia/Almaty",
        region_zones=demo_zones(),
        cities=frozenset({"Astana", "Almaty", "Shymkent"}),
    ),
)
BY_KEY = {e.key: e for e in ELECTIONS}


def election_for(path: Path, key: str | None = None) -> Election:
    """The election named `key`, else the one whose dataset `path` is."""
    if key is not None:
        if key not in BY_KEY:
            raise UnknownElectionError(f"unknown election {key!r}; known: {', '.join(BY_KEY)}")
        return BY_KEY[key]
    for election in ELECTIONS:
        if path.name in election.files:
            return election
    raise UnknownElectionError(
        f"{path.name}: not a dataset of a known election; name one with --election ({', '.join(BY_KEY)})"
    )


def zone_summary(election: Election, zones: Collection[ZoneInfo]) -> str:
    """`polls 08:00-20:00 local time, UTC+3..+12 (10 offsets)`, on the first day."""
    noon = {datetime.combine(election.days[0], time(12), z).utcoffset() for z in zones}
    hours = sorted(o.total_seconds() / 3600 for o in noon if o is not None)
    polls = f"polls {election.opens:%H:%M}-{election.closes:%H:%M} local time"
    if len(hours) == 1:
        return f"{polls}, UTC{hours[0]:+g}"
    return f"{polls}, UTC{hours[0]:+g}..{hours[-1]:+g} ({len(hours)} offsets)"
