"""In-process stand-ins for ingest's own ports (services/ingest/context.py), handed to
`create_app`: the routes run whole, with no Kafka and no PostgreSQL behind them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.clock import Clock
from services.ingest.context import Services
from services.ingest.errors import UnavailableError
from services.ingest.intake import Result, Status
from services.ingest.lifespan import OpenServices
from services.ingest.metrics import IngestMetrics
from services.ingest.monitors import Monitor
from services.ingest.settings import IngestSettings

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
TOKEN = "pw_monitor_token"
MONITOR = Monitor("mon-1", "Monitor", "+77011234567", "", frozenset({"ALA-0123", "ALA-0456"}))
REGISTERED = {"ALA-0123": 1000, "ALA-0456": 800, "AKM-0777": 900}
ACCEPTED = Result(Status.ACCEPTED)


@dataclass
class Intake:
    """Answers every report with `answer`, after encoding it as the real intake does, and keeps
    what it was handed; dead letters are kept unless `keeps_dead_letters` is off."""

    answer: Result = ACCEPTED
    keeps_dead_letters: bool = True
    submitted: list[ev.Report] = field(default_factory=list)
    dead_letters: list[ev.DeadLetter] = field(default_factory=list)

    async def submit(self, reports: Sequence[ev.Report]) -> list[Result]:
        for report in reports:
            codec.encode_report(report)
        self.submitted += reports
        return [self.answer] * len(reports)

    async def dead_letter(self, letter: ev.DeadLetter) -> bool:
        codec.encode_dead_letter(letter)
        if self.keeps_dead_letters:
            self.dead_letters.append(letter)
        return self.keeps_dead_letters


@dataclass
class Monitors:
    """MONITOR, by TOKEN or its phone; `reachable` off: the store does not answer."""

    reachable: bool = True

    async def by_token(self, token: str) -> Monitor | None:
        self._answer()
        return MONITOR if token == TOKEN else None

    async def by_phone(self, phone: str) -> Monitor | None:
        self._answer()
        return MONITOR if phone == MONITOR.phone else None

    def _answer(self) -> None:
        if not self.reachable:
            raise UnavailableError("monitor store unreachable")


@dataclass
class Checkins:
    """Keeps each check-in as (monitor id, time)."""

    kept: list[tuple[str, datetime]] = field(default_factory=list)

    async def record(self, monitor_id: str, at: datetime, channel: str = "sms") -> None:
        self.kept.append((monitor_id, at))


@dataclass
class Stations:
    registered: dict[str, int] = field(default_factory=lambda: dict(REGISTERED))


@dataclass
class Fakes:
    intake: Intake = field(default_factory=Intake)
    monitors: Monitors = field(default_factory=Monitors)
    stations: Stations = field(default_factory=Stations)
    checkins: Checkins = field(default_factory=Checkins)
    checks: dict[str, bool] = field(default_factory=lambda: {"kafka": True, "postgres": True})
    opened: int = 0
    closed: int = 0

    def services(self) -> OpenServices:
        """What `create_app(services=...)` takes: these fakes for the app's lifetime."""

        @asynccontextmanager
        async def open_fakes(
            settings: IngestSettings, metrics: IngestMetrics, clock: Clock
        ) -> AsyncIterator[Services]:
            async def ready() -> dict[str, bool]:
                return dict(self.checks)

            self.opened += 1
            try:
                yield Services(
                    settings, self.intake, self.monitors, self.stations, metrics, clock, self.checkins, ready
                )
            finally:
                self.closed += 1

        return open_fakes
