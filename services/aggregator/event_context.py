"""Table writes for a batch of events, in the partition of the event they belong to.

faust ties a table write to the current event: its changelog record goes to that event's
partition and RocksDB writes into that partition's database. The agent's own task has no
current event (the stream is consumed by a background task, collector.py, as in `take_events`;
faust issue #497), so the station agent sets it explicitly, per station, to the event of the
newest report it applied for that station; that event is acked only after the whole batch is
handled, so faust still flushes the changelog before it commits the offsets. Setting it is
patch `faust.current_event` (services/patches/faust.py), which has no stock path: the
aggregator refuses to start when faust is outside its range (services/aggregator/__main__.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.patches import faust as faust_patch


@contextmanager
def within(event: Any) -> Iterator[None]:
    """Makes `event` faust's current event for the duration of the block."""
    token = faust_patch.set_current_event(event)
    try:
        yield
    finally:
        faust_patch.reset_current_event(token)
