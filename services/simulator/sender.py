"""Sends a delivery schedule to ingest over HTTP (and SMS), as the monitors' phones would."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import httpx

from services.simulator.delivery import Delivery
from services.simulator.payloads import report_json, turnout_sms
from services.simulator.provision import Credentials

RETRY_STATUSES = {429, 502, 503, 504}


class Sender:
    """Sends each delivery at its time, retrying what ingest could not take yet (503)."""

    def __init__(
        self,
        ingest_url: str,
        credentials: dict[str, Credentials],
        concurrency: int = 32,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self._url = ingest_url.rstrip("/")
        self._creds = credentials
        self._limit = asyncio.Semaphore(concurrency)
        self._on_done = on_done or (lambda: None)
        self.outcomes: Counter[str] = Counter()
        # Reports ingest took (accepted, or already had): every planned one should end up here.
        self.delivered: set[str] = set()

    async def run(self, deliveries: list[Delivery]) -> Counter[str]:
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=30) as client:
            tasks = []
            for delivery in deliveries:
                wait = delivery.at_seconds - (time.monotonic() - started)
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._limit.acquire()
                tasks.append(asyncio.create_task(self._send(client, delivery)))
            await asyncio.gather(*tasks)
        return self.outcomes

    async def _send(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        try:
            for attempt in range(20):
                outcome = await self._post(client, delivery)
                if outcome not in RETRY_STATUSES:
                    self.outcomes[str(outcome)] += 1
                    if outcome in ("accepted", "duplicate", "sms_ok"):
                        self.delivered.add(delivery.report.report_id)
                    return
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
            self.outcomes["gave_up"] += 1
        finally:
            self._limit.release()
            self._on_done()

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> int | str:
        report = delivery.report
        creds = self._creds[report.station_id]
        try:
            if report.sms:
                # A generic gateway's JSON webhook, with the phone's send time (docs/sms.md).
                response = await client.post(
                    f"{self._url}/v1/sms",
                    json={
                        "from": creds.phone,
                        "text": turnout_sms(report),
                        "sent_at": report.observed_at.isoformat(),
                    },
                )
                return response.status_code if response.status_code != 200 else "sms_ok"
            response = await client.post(
                f"{self._url}/v1/reports",
                json=report_json(report),
                headers={"Authorization": f"Bearer {creds.token}"},
            )
        except httpx.TransportError:
            return 503
        if response.status_code != 202:
            return response.status_code
        results = response.json().get("results", [{}])
        return str(results[0].get("status", "accepted"))
