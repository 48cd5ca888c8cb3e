"""faust's real Event and ConsumerMessage, with a consumer that records what faust would mark
committable: for the station agent's ack-timing tests (no broker)."""

from __future__ import annotations

import asyncio
from typing import Any

from faust.events import Event
from faust.types.tuples import ConsumerMessage


class Consumer:
    """Records the offsets faust would mark committable."""

    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, message: ConsumerMessage) -> bool:
        self.acked.append(message.offset)
        return True


def batch(app: Any, offsets: range) -> list[Event]:
    events = []
    for offset in offsets:
        message = ConsumerMessage("reports", 0, offset, 0.0, 0, None, b"S1", b"", None)
        message.incref()  # the stream's own reference, which take_events releases
        events.append(Event(app, b"S1", b"", {}, message))
    return events


async def settle() -> None:
    """Lets every ready task run a few steps."""
    for _ in range(10):
        await asyncio.sleep(0)
