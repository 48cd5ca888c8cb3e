"""Table writes for a batch of events, in the partition of the event they belong to.

faust ties a table write to the current event: its changelog record goes to that event's
partition and RocksDB writes into that partition's database. The agent's own task has no
current event (the stream is consumed by a background task, collector.py, as in `take_events`;
faust issue #497), so the station agent sets it explicitly, per station, to the event of the
newest report it applied for that station; that event is acked only after the whole batch is
handled, so faust still flushes the changelog before it commits the offsets.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from faust.streams import _current_event


@contextmanager
def within(event: Any) -> Iterator[None]:
    """Makes `event` faust's current event for the duration of the block."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)
