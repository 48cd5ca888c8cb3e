"""The review queue as it changes: claims, call-backs and decisions, from PostgreSQL to every desk.

Claims and call-backs are only in PostgreSQL (decisions reach Kafka too, but keyed for the
aggregator and without the claim), so the API hears of them there: each action NOTIFYs
`review_sql.CHANNEL` with `<kind>:<id>` in its own transaction (delivered on commit), and every
API process holds one connection LISTENing to it, whichever process served the action.

```
 claimReviewItem / recordCallBack / verify ─► pg_notify, committed with the action and its audit row
   ▼
 ReviewListener: one LISTEN connection a process ─► a queue ─► one reader: the item's current row
   ▼                                                   (one at a time: a later state is never overtaken)
 ReviewChannel.publish ─► each subscriber within its regions (conflated per item) ─► live.stream
```

A subscriber gets changes only, no snapshot: it reads `reviewQueue` for that. While the LISTEN
connection is down (it reconnects every `retry_seconds`), changes are not pushed; a desk sees
them on its next read of the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection

import asyncpg

from services.api.live.hub import ConflatedSubscription, HubObserver
from services.api.repository import review as review_sql
from services.api.types.review import ReviewItem
from services.common.infra.db import QUERY_ERRORS, Conn

log = logging.getLogger(__name__)


class ReviewChannel:
    """Every changed review item, to the subscribers whose regions hold it; a subscriber that
    falls behind gets each item's latest state once (conflated by kind and id)."""

    name = "review"

    def __init__(self, observer: HubObserver | None = None) -> None:
        self._observer = observer
        self._revision = 0
        self._subscribers: set[ConflatedSubscription[ReviewItem]] = set()

    def subscribe(
        self, region: str | None = None, within: Collection[str] | None = None
    ) -> ConflatedSubscription[ReviewItem]:
        """Items of `region` (None: any), and only ever of `within` (a key's regions) when given."""
        sub: ConflatedSubscription[ReviewItem] = ConflatedSubscription()
        sub.groups = () if region is None else (region,)
        sub.within = None if within is None else frozenset(within)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: ConflatedSubscription[ReviewItem]) -> None:
        self._subscribers.discard(sub)

    def publish(self, item: ReviewItem) -> int:
        """Offers `item` to the subscribers that may see it; returns how many."""
        self._revision += 1
        region, reached = item.region_id, 0
        for sub in self._subscribers:
            if (not sub.groups or region in sub.groups) and (sub.within is None or region in sub.within):
                sub.offer(f"{item.kind.value}:{item.id}", self._revision, item)
                reached += 1
        if self._observer is not None:
            self._observer.fanned_out(self.name, reached)
        return reached

    def close(self) -> None:
        """Ends every subscription (shutdown)."""
        for sub in self._subscribers:
            sub.close()

    def depth(self) -> int:
        return sum(s.depth for s in self._subscribers)


class ReviewListener:
    """Listens for the review notifications on a connection of its own and publishes each
    item's current row to `channel`; `start` returns once it listens (or failed to connect,
    then it keeps trying)."""

    def __init__(
        self,
        dsn: str,
        pool: asyncpg.Pool,
        channel: ReviewChannel,
        role: str | None = None,
        retry_seconds: float = 1.0,
    ) -> None:
        self._dsn = dsn
        self._pool = pool
        self._channel = channel
        self._role = role
        self._retry_seconds = retry_seconds
        self._changed: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._read())]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), timeout=10)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _notified(self, _conn: Conn, _pid: int, _channel: str, payload: object) -> None:
        self._changed.put_nowait(str(payload))

    async def _listen(self) -> None:
        while True:
            try:
                settings = {"role": self._role} if self._role else None
                conn = await asyncpg.connect(self._dsn, server_settings=settings)
            except QUERY_ERRORS as exc:
                log.warning("review listener: cannot connect: %s; retrying", exc)
            else:
                await self._listen_on(conn)
            await asyncio.sleep(self._retry_seconds)

    async def _listen_on(self, conn: asyncpg.Connection) -> None:
        """Listens until the connection is lost, then closes it."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        try:
            await conn.add_listener(review_sql.CHANNEL, self._notified)
            self.listening.set()
            await lost.wait()
            log.warning("review listener: connection lost; reconnecting")
        except QUERY_ERRORS as exc:
            log.warning("review listener: %s; reconnecting", exc)
        finally:
            self.listening.clear()
            with contextlib.suppress(*QUERY_ERRORS):
                await conn.close(timeout=2)

    async def _read(self) -> None:
        while True:
            kind, _, item_id = (await self._changed.get()).partition(":")
            try:
                row = await review_sql.item(self._pool, kind, item_id)
            except QUERY_ERRORS as exc:
                log.warning("review listener: cannot read %s %s: %s", kind, item_id, exc)
                continue
            if row is not None:
                self._channel.publish(ReviewItem.from_row(row))
