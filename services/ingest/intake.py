"""The one door: deduplicate, write to Kafka with acks=all, record — for both channels.

A report is `accepted` only once Kafka acknowledged it; `unavailable` means nothing was
acknowledged and the client should resend (the resend is recognised if the first copy did
land after all).

The answer does not wait for the dedup store to record the acceptance (a PostgreSQL
statement, up to INGEST_DEDUP_ACCEPT_LINGER_MS later): the answer never depended on it (a
failed record was answered `accepted` all the same), copies reaching this process are
answered `duplicate` from the moment Kafka acknowledged, and until the record commits the
claim stands, so a copy reaching another replica is answered `in_progress` (retry), never
written twice. Crash after the answer and before the record: the claim expires after the
claim TTL as before, and the client, holding its 202, has no reason to resend. Shutdown
waits for the records (`drain`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.ingest.dedup import Deduplicator, Outcome
from services.ingest.errors import UnavailableError
from services.ingest.metrics import IngestMetrics
from services.ingest.producer import Message, Producer

log = logging.getLogger(__name__)


class Status(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    reason: str = ""


_ACCEPTED = Result(Status.ACCEPTED)
_KAFKA_UNAVAILABLE = Result(Status.UNAVAILABLE, "kafka_unavailable")
_KAFKA_TIMEOUT = Result(Status.UNAVAILABLE, "kafka_timeout")
_FROM_OUTCOME = {
    Outcome.DUPLICATE: Result(Status.DUPLICATE),
    Outcome.IN_PROGRESS: Result(Status.UNAVAILABLE, "in_progress"),
    Outcome.UNAVAILABLE: _KAFKA_UNAVAILABLE,
}


class Intake:
    def __init__(
        self,
        producer: Producer,
        dedup: Deduplicator,
        reports_topic: str,
        dead_letter_topic: str,
        metrics: IngestMetrics,
        wait_timeout: float,
    ) -> None:
        self._producer = producer
        self._dedup = dedup
        self._reports_topic = reports_topic
        self._dead_letter_topic = dead_letter_topic
        self._metrics = metrics
        self._wait_timeout = wait_timeout
        self._background: set[asyncio.Future[object]] = set()

    async def submit(self, reports: Sequence[ev.Report]) -> list[Result]:
        """Writes the reports not seen before; one Result per report, in order."""
        if not reports:
            return []
        try:
            claim = await self._dedup.claim([r.id for r in reports])
        except UnavailableError:
            log.warning("dedup store unreachable: answering unavailable")
            return [Result(Status.UNAVAILABLE, "store_unavailable")] * len(reports)
        results: dict[int, Result] = {
            i: _FROM_OUTCOME[o] for i, o in claim.outcomes.items() if o is not Outcome.NEW
        }
        new = claim.new
        if new:
            results |= await self._write([reports[i] for i in new], new)
        for i, future in claim.waiting.items():
            try:
                outcome = await asyncio.wait_for(asyncio.shield(future), self._wait_timeout)
            except TimeoutError:
                outcome = Outcome.IN_PROGRESS
            results[i] = _FROM_OUTCOME[outcome]
        return [results[i] for i in range(len(reports))]

    async def _write(self, reports: list[ev.Report], positions: list[int]) -> dict[int, Result]:
        messages = [
            Message(self._reports_topic, r.station_id.encode(), codec.encode_report(r)) for r in reports
        ]
        ids = [r.id for r in reports]

        def late(i: int, ok: bool) -> None:
            if ok:
                self._accept([ids[i]])
            else:
                self._in_background(self._dedup.release([ids[i]]))

        started = time.perf_counter()
        written = await self._producer.write(messages, late)
        self._metrics.produce_duration.observe(time.perf_counter() - started)
        if written.acked:
            self._accept([ids[i] for i in written.acked])
        await self._dedup.release([ids[i] for i in written.failed])
        self._dedup.pending([ids[i] for i in written.pending])
        out = dict.fromkeys([positions[i] for i in written.acked], _ACCEPTED)
        out |= dict.fromkeys([positions[i] for i in written.failed], _KAFKA_UNAVAILABLE)
        out |= dict.fromkeys([positions[i] for i in written.pending], _KAFKA_TIMEOUT)
        return out

    def _accept(self, ids: list[str]) -> None:
        """Kafka has `ids`: their copies here are duplicates at once; the dedup store records
        them in the background, and the answer does not wait for that (see the module doc)."""
        self._dedup.acknowledged(ids)
        self._track(self._dedup.record_soon(ids, self._recorded))

    def _recorded(self, ids: Sequence[str], ok: bool) -> None:
        if not ok:
            self._metrics.dedup_record_failures.inc(len(ids))
            log.warning("%d acknowledged report ids could not be recorded for dedup", len(ids))

    def _in_background(self, action: Coroutine[object, object, object]) -> None:
        self._track(asyncio.ensure_future(action))

    def _track(self, future: asyncio.Future[object]) -> None:
        self._background.add(future)
        future.add_done_callback(self._background.discard)

    async def dead_letter(self, letter: ev.DeadLetter) -> bool:
        """Keeps a message that could not be processed; True once Kafka acknowledged it."""
        message = Message(self._dead_letter_topic, letter.source.encode(), codec.encode_dead_letter(letter))
        written = await self._producer.write([message], lambda _i, _ok: None)
        return bool(written.acked)

    async def drain(self) -> None:
        """Lets late acknowledgements finish recording before shutdown."""
        if self._background:
            await asyncio.wait(self._background, timeout=5)
