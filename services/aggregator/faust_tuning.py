"""faust, tuned for thousands of records a second on one worker.

- The consumer, fetches and Monitor: patches `faust.batch_drain`, `faust.paced_fetch` and
  `faust.quiet_monitor` (services/patches/faust.py, docs/patches.md); `App` takes them when
  they are on, faust's own parts when they are off.
- Smaller RocksDB buffers (`rocksdb_options`). faust's defaults are sized for a dedicated
  server: 64 MB memtables, three per database (one database per table partition: 6 for the
  station state), and a 2 GB block cache. Station state is read from RocksDB once per station
  (then cached in Python), so a small cache and 16 MB memtables keep a national day's replay
  from holding hundreds of MB of memtables.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.types.transports import TransportT

from services.patches import faust as faust_patch


def rocksdb_options() -> dict[str, Any]:
    """Options for an aggregator table's RocksDB store (a new dict: faust consumes it)."""
    return {
        "write_buffer_size": 16 * 1024**2,
        "max_write_buffer_number": 2,
        "block_cache_size": 32 * 1024**2,
    }


class App(faust.App):
    """faust.App with the enabled consumer patches (pass Monitor=faust_patch.monitor_class())."""

    fetch_wait_ms = faust_patch.DEFAULT_FETCH_WAIT_MS  # set per app before it starts

    def _new_transport(self) -> TransportT:
        transport = faust_patch.transport_class()
        if transport is None:
            return super()._new_transport()
        return transport(self.conf.broker_consumer, self)
