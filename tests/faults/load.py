"""The fault suite's load: one phone per station sending batches of 1-8 reports with unique ids,
resending the whole request on 503 (after Retry-After), on a timeout or a dropped connection,
as docs/ingest.md tells a client to, until every report is acknowledged.

A phone sends its next batch only once the previous one is acknowledged, so each station's
reports are acknowledged in the order they were observed, and pausing the load leaves no report
in doubt: every report made so far has been acknowledged (or rejected, which a valid report
never should be)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from services.common.contracts import events as ev
from tests.faults.monitors import EventClock, StationMonitor, request_body

MAX_BATCH = 8
REQUEST_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic()
    status: str  # the HTTP status, or "transport" (no answer: refused, reset, timed out)


@dataclass(frozen=True)
class Batch:
    started: float
    acknowledged: float


@dataclass
class Phone:
    monitor: StationMonitor
    token: str


@dataclass
class Load:
    url: str
    phones: list[Phone]
    clock: EventClock
    interval_s: float
    answers: list[Answer] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)  # why reports were unavailable
    batches: list[Batch] = field(default_factory=list)
    acknowledged: dict[str, ev.Report] = field(default_factory=dict)  # by id, in acknowledgement order
    ack_times: list[float] = field(default_factory=list)
    rejected: list[tuple[str, Any]] = field(default_factory=list)
    _running: asyncio.Event = field(default_factory=asyncio.Event)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _busy: int = 0

    async def run(self) -> None:
        self._running.set()
        limits = httpx.Limits(max_connections=len(self.phones))
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
            await asyncio.gather(*(self._phone(client, phone) for phone in self.phones))

    async def pause(self, within_s: float) -> bool:
        """Stops new batches and waits for those under way; False if some are still waiting."""
        self._running.clear()
        if not self._busy:
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), within_s)
        except TimeoutError:
            return False
        return True

    def resume(self) -> None:
        self._running.set()

    def first_ack_after(self, at: float) -> float | None:
        return next((t for t in self.ack_times if t >= at), None)

    async def _phone(self, client: httpx.AsyncClient, phone: Phone) -> None:
        rng = random.Random(phone.monitor.station_id)
        headers = {"Authorization": f"Bearer {phone.token}", "Content-Type": "application/json"}
        while True:
            await self._running.wait()
            self._busy += 1
            self._idle.clear()
            try:
                batch = [
                    phone.monitor.next_report(self.clock.now()) for _ in range(rng.randint(1, MAX_BATCH))
                ]
                await self._deliver(client, headers, batch)
            finally:
                self._busy -= 1
                if not self._busy:
                    self._idle.set()
            await asyncio.sleep(self.interval_s * rng.uniform(0.5, 1.5))

    async def _deliver(
        self, client: httpx.AsyncClient, headers: dict[str, str], batch: list[ev.Report]
    ) -> None:
        started = time.monotonic()
        pending = {r.id: r for r in batch}
        body = orjson.dumps(request_body(batch))
        attempt = 0
        while pending:
            retry_after = min(5.0, 0.25 * 2**attempt)
            attempt += 1
            try:
                response = await client.post(self.url, content=body, headers=headers)
            except httpx.TransportError:
                self.answers.append(Answer(time.monotonic(), "transport"))
                await asyncio.sleep(retry_after)
                continue
            self.answers.append(Answer(time.monotonic(), str(response.status_code)))
            results = _results(response)
            for result in results:
                report = pending.pop(str(result.get("id")), None)
                if report is None:
                    continue
                if result["status"] in ("accepted", "duplicate"):
                    self.acknowledged[report.id] = report
                    self.ack_times.append(time.monotonic())
                elif result["status"] == "rejected":
                    self.rejected.append((report.id, result.get("errors")))
                else:
                    self.reasons[result.get("reason", "")] += 1
                    pending[report.id] = report
            if 400 <= response.status_code < 500 and response.status_code != 429 and not results:
                self.rejected += [(report_id, response.text) for report_id in pending]
                return
            if response.status_code == 503:
                retry_after = float(response.headers.get("retry-after", retry_after))
            if pending:
                await asyncio.sleep(retry_after)
        self.batches.append(Batch(started, time.monotonic()))


def _results(response: httpx.Response) -> list[dict[str, Any]]:
    """The per-report results of an answer, if it has any."""
    try:
        answer = response.json()
    except ValueError:
        return []
    results = answer.get("results") if isinstance(answer, dict) else None
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
