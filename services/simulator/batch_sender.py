"""Sends reports to ingest in batches of up to 1,000 per request, as fast as ingest takes them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.simulator.refusals import Refusals

MAX_BATCH = 1000
RETRY_STATUSES = frozenset({429, 502, 503, 504})
ATTEMPTS = 30


@dataclass(frozen=True, slots=True)
class Batch:
    token: str
    reports: Sequence[dict[str, Any]]


@dataclass(slots=True)
class Sent:
    """What became of the reports: a count per outcome (`accepted`, `duplicate`, `rejected`,
    `gave_up`) and why ingest refused those it refused."""

    outcomes: Counter[str] = field(default_factory=Counter)
    refused: Refusals = field(default_factory=Refusals)

    def merge(self, other: Sent) -> None:
        self.outcomes += other.outcomes
        self.refused.merge(other.refused)

    @property
    def lost(self) -> int:
        """Reports ingest did not take: refused, unanswered, or unavailable after every retry."""
        return self.refused.reports + self.outcomes["gave_up"] + self.outcomes["unanswered"]

    def summary(self) -> list[str]:
        """The outcome counts, then why reports were lost (empty reasons when none was)."""
        lines = ["outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items()))]
        if self.refused:
            lines += self.refused.lines()
        if self.outcomes["gave_up"]:
            lines.append(
                f"{self.outcomes['gave_up']:,} reports given up: ingest stayed unavailable "
                f"(429/5xx or no connection) through {ATTEMPTS} attempts"
            )
        if self.outcomes["unanswered"]:
            lines.append(f"{self.outcomes['unanswered']:,} reports without an answer from ingest")
        return lines


def batches(token_of: Callable[[str], str], payloads: Sequence[dict[str, Any]]) -> list[Batch]:
    """Groups payloads (in order) into per-token batches of at most MAX_BATCH."""
    open_batches: dict[str, list[dict[str, Any]]] = {}
    out: list[Batch] = []
    for payload in payloads:
        token = token_of(payload["station_id"])
        current = open_batches.setdefault(token, [])
        current.append(payload)
        if len(current) == MAX_BATCH:
            out.append(Batch(token, current))
            open_batches[token] = []
    out += [Batch(token, reports) for token, reports in open_batches.items() if reports]
    return out


def answer_body(response: httpx.Response) -> Any:
    """Ingest's JSON answer, or its text when it is not JSON (a proxy's error page)."""
    try:
        return response.json()
    except ValueError:
        return response.text


def take_answer(sent: Sent, batch: Batch, response: httpx.Response) -> None:
    """Counts ingest's answer to one batch (202, 403 and 422 carry a result per report)."""
    body = answer_body(response)
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        first = batch.reports[0].get("id") if batch.reports else None
        sent.outcomes["rejected"] += len(batch.reports)
        sent.refused.refused_request(response.status_code, body, len(batch.reports), first)
        return
    for result in results:
        status = str(result.get("status", "?"))
        sent.outcomes[status] += 1
        if status == "rejected":
            sent.refused.refused_result(result)
    if len(results) < len(batch.reports):  # ingest answers every report; count any it did not
        sent.outcomes["unanswered"] += len(batch.reports) - len(results)


async def send_batches(
    ingest_url: str,
    work: Sequence[Batch],
    concurrency: int = 4,
    on_done: Callable[[int], None] | None = None,
) -> Sent:
    """Posts every batch; retries a whole batch on 429/5xx (ingest acknowledged none of it)."""
    sent = Sent()
    limit = asyncio.Semaphore(concurrency)
    url = ingest_url.rstrip("/") + "/v1/reports"

    async def post(client: httpx.AsyncClient, batch: Batch) -> None:
        async with limit:
            for attempt in range(ATTEMPTS):
                try:
                    response = await client.post(
                        url,
                        json={"reports": list(batch.reports)},
                        headers={"Authorization": f"Bearer {batch.token}"},
                    )
                except httpx.TransportError:
                    await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                    continue
                if response.status_code in RETRY_STATUSES:
                    await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                    continue
                take_answer(sent, batch, response)
                break
            else:
                sent.outcomes["gave_up"] += len(batch.reports)
        if on_done is not None:
            on_done(len(batch.reports))

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(post(client, b) for b in work))
    return sent
