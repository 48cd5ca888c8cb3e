"""Sends reports to ingest in batches of up to 1,000 per request, as fast as ingest takes them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Batch:
    token: str
    reports: Sequence[dict[str, Any]]


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


async def send_batches(
    ingest_url: str,
    work: Sequence[Batch],
    concurrency: int = 4,
    on_done: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Posts every batch; retries a whole batch on 503 (ingest acknowledged none of it)."""
    outcomes: Counter[str] = Counter()
    limit = asyncio.Semaphore(concurrency)
    url = ingest_url.rstrip("/") + "/v1/reports"

    async def post(client: httpx.AsyncClient, batch: Batch) -> None:
        async with limit:
            for attempt in range(30):
                try:
                    response = await client.post(
                        url,
                        json={"reports": list(batch.reports)},
                        headers={"Authorization": f"Bearer {batch.token}"},
                    )
                except httpx.TransportError:
                    await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                    continue
                if response.status_code in (429, 503):
                    await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                    continue
                if response.status_code >= 300 and response.status_code != 207:
                    outcomes[f"http_{response.status_code}"] += len(batch.reports)
                else:
                    outcomes.update(str(r.get("status", "?")) for r in response.json()["results"])
                break
            else:
                outcomes["gave_up"] += len(batch.reports)
        if on_done is not None:
            on_done(len(batch.reports))

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(post(client, b) for b in work))
    return outcomes
