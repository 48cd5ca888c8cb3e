"""What the fault suite watches while the load runs: each service's /readyz, and a dashboard's
GraphQL query against the API, twice a second, with the time of every answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

import httpx

INTERVAL_S = 0.5
# A probe left unanswered this long counts as not ready (the services' own checks take <= 3 s).
PROBE_TIMEOUT_S = 6.0
OVERVIEW = "{ overview { national { stationsReporting ballotsIssued } openAlerts { critical warning } } }"


@dataclass(frozen=True)
class Probe:
    at: float  # time.monotonic() when the answer (or its absence) was known
    sent: float
    status: str  # HTTP status, or "transport"

    @property
    def ok(self) -> bool:
        return self.status == "200"


@dataclass
class Watch:
    """Probes every service's /readyz and the API's /graphql until cancelled."""

    urls: dict[str, str]
    api_key: str
    ready: dict[str, list[Probe]] = field(default_factory=dict)
    graphql: list[Probe] = field(default_factory=list)

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S) as client:
            probes = [
                self._every(partial(client.get, f"{url}/readyz"), self.ready.setdefault(name, []))
                for name, url in self.urls.items()
            ]
            dashboard = partial(
                client.post,
                f"{self.urls['api']}/graphql",
                json={"query": OVERVIEW},
                headers={"X-API-Key": self.api_key},
            )
            probes.append(self._every(dashboard, self.graphql))
            await asyncio.gather(*probes)

    async def _every(self, call: Callable[[], Awaitable[httpx.Response]], into: list[Probe]) -> None:
        while True:
            sent = time.monotonic()
            try:
                status = str((await call()).status_code)
            except httpx.TransportError:
                status = "transport"
            into.append(Probe(time.monotonic(), sent, status))
            await asyncio.sleep(max(0.0, INTERVAL_S - (time.monotonic() - sent)))

    def ready_during(self, service: str, start: float, end: float) -> list[Probe]:
        """Answers of `service`'s /readyz sent and answered within [start, end] that said ready."""
        return [p for p in self.ready[service] if p.ok and p.sent >= start and p.at <= end]

    def probes_during(self, service: str, start: float, end: float) -> int:
        return sum(1 for p in self.ready[service] if p.sent >= start and p.at <= end)

    def ready_again(self, service: str, after: float) -> float | None:
        """When `service` first answered ready to a probe sent after `after`."""
        return next((p.at for p in self.ready[service] if p.ok and p.sent >= after), None)

    def graphql_errors(self, start: float, end: float) -> list[Probe]:
        """Dashboard queries answered with a 5xx other than 503 within [start, end]."""
        return [
            p for p in self.graphql if start <= p.at <= end and p.status.startswith("5") and p.status != "503"
        ]
