"""What the request handlers need (the ports), built once by the app's lifespan.

The real ones (services/ingest/lifespan.py) stand on Kafka and PostgreSQL; tests/unit/ingest
hands `create_app` small in-process ones instead, so every answer's status is tested without a
socket (tests/integration/ingest runs the same routes on the real stack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg

from services.common.contracts import events as ev
from services.common.infra.clock import Clock
from services.common.infra.health import ReadyCheck
from services.ingest.intake import Result
from services.ingest.metrics import IngestMetrics
from services.ingest.monitors import Monitor
from services.ingest.settings import IngestSettings


class ReportIntake(Protocol):
    """Writes reports once each, and dead letters (services/ingest/intake.Intake)."""

    async def submit(self, reports: Sequence[ev.Report]) -> list[Result]: ...

    async def dead_letter(self, letter: ev.DeadLetter) -> bool: ...


class MonitorDirectory(Protocol):
    """Who is calling; raises UnavailableError when it cannot tell (services/ingest/auth.Authenticator)."""

    async def by_token(self, token: str) -> Monitor | None: ...

    async def by_phone(self, phone: str) -> Monitor | None: ...


class StationRegistry(Protocol):
    """Station id -> registered voters (services/ingest/station_cache.StationCache)."""

    @property
    def registered(self) -> Mapping[str, int]: ...


class CheckinBook(Protocol):
    """Where check-ins are kept; raises UnavailableError when it cannot (services/ingest/checkin.Checkins)."""

    async def record(self, monitor_id: str, at: datetime, channel: str = "sms") -> None: ...


@dataclass
class Services:
    settings: IngestSettings
    intake: ReportIntake
    auth: MonitorDirectory
    stations: StationRegistry
    metrics: IngestMetrics
    clock: Clock
    checkins: CheckinBook
    ready: ReadyCheck  # each dependency's state, for /readyz
    pool: asyncpg.Pool | None = None  # the monitor app's reads and photos (monitor_api.MonitorApi)
