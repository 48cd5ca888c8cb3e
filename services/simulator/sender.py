"""Sends a delivery schedule to ingest over HTTP (and SMS), as the monitors' phones would."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import httpx

from services.simulator.batch_sender import RETRY_STATUSES, Sent, answer_body
from services.simulator.delivery import Delivery
from services.simulator.payloads import report_json, turnout_sms
from services.simulator.provision import Credentials
from services.simulator.refusals import Example

ATTEMPTS = 20


class Sender:
    """Sends each delivery at its time, retrying what ingest could not take yet (429/5xx)."""

    def __init__(
        self,
        ingest_url: str,
        credentials: dict[str, Credentials],
        concurrency: int = 32,
        on_done: Callable[[], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = ingest_url.rstrip("/")
        self._creds = credentials
        self._limit = asyncio.Semaphore(concurrency)
        self._on_done = on_done or (lambda: None)
        self._transport = transport  # tests answer in-process
        # Outcomes per delivery, and why ingest refused those it refused.
        self.sent = Sent()
        # Reports ingest took (accepted, or already had): every planned one should end up here.
        self.delivered: set[str] = set()

    @property
    def outcomes(self) -> Counter[str]:
        return self.sent.outcomes

    async def run(self, deliveries: list[Delivery]) -> Counter[str]:
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=30, transport=self._transport) as client:
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
            for attempt in range(ATTEMPTS):
                response = await self._post(client, delivery)
                if response is not None and response.status_code not in RETRY_STATUSES:
                    self._take(delivery, response)
                    return
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
            self.outcomes["gave_up"] += 1
        finally:
            self._limit.release()
            self._on_done()

    def _take(self, delivery: Delivery, response: httpx.Response) -> None:
        report_id = delivery.report.report_id
        body = answer_body(response)
        if delivery.report.sms and response.status_code == 200 and isinstance(body, dict):
            # The generic gateway's answer: {"reply", "status", "report_id"} (docs/sms.md).
            status = str(body.get("status", "?"))
            if status in ("accepted", "duplicate"):
                self._took(status, report_id)
            else:
                self.outcomes[status] += 1
                reply = Example(report_id, str(body.get("reply", "")))
                self.sent.refused.refused(f"sms_{status}", "text", reply)
            return
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or not results:
            self.outcomes["rejected"] += 1
            self.sent.refused.refused_request(response.status_code, body, 1, report_id)
            return
        status = str(results[0].get("status", "?"))
        if status in ("accepted", "duplicate"):
            self._took(status, report_id)
        else:
            self.outcomes[status] += 1
            self.sent.refused.refused_result(results[0])

    def _took(self, status: str, report_id: str) -> None:
        self.outcomes[status] += 1
        self.delivered.add(report_id)

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> httpx.Response | None:
        """Ingest's answer, or None when it could not be reached."""
        report = delivery.report
        creds = self._creds[report.station_id]
        try:
            if report.sms:
                # A generic gateway's JSON webhook, with the phone's send time (docs/sms.md).
                return await client.post(
                    f"{self._url}/v1/sms",
                    json={
                        "from": creds.phone,
                        "text": turnout_sms(report),
                        "sent_at": report.observed_at.isoformat(),
                    },
                )
            return await client.post(
                f"{self._url}/v1/reports",
                json=report_json(report),
                headers={"Authorization": f"Bearer {creds.token}"},
            )
        except httpx.TransportError:
            return None
