"""Where the aggregator's memory goes, read at scrape time: RocksDB's own buffers per table, and
how many stations' states are held decoded in Python.

A national day (~100,000 stations) takes the worker over 1 GB resident; the process gauge
(process_resident_memory_bytes) says how much, these say which part grows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# RocksDB properties (bytes), by the name of the part they measure.
ROCKSDB_PARTS = {
    "memtables": "rocksdb.cur-size-all-mem-tables",
    "block_cache": "rocksdb.block-cache-usage",
    "table_readers": "rocksdb.estimate-table-readers-mem",
}


def store_databases(table: Any) -> Mapping[int, Any]:
    """The open RocksDB databases (by partition) behind a faust table; none for other stores.
    faust keeps them in the store's `_dbs` (faust-streaming 0.15.3, pinned)."""
    dbs = getattr(table.data, "_dbs", None)
    return dbs if isinstance(dbs, dict) else {}


class MemoryCollector(Collector):
    """Reads the sources last given to `watch` (none: no tables, no stations)."""

    def __init__(self) -> None:
        self._tables: Callable[[], Iterable[tuple[str, Any]]] = tuple
        self._cached_stations: Callable[[], int] = int

    def watch(
        self, tables: Callable[[], Iterable[tuple[str, Any]]], cached_stations: Callable[[], int]
    ) -> None:
        self._tables, self._cached_stations = tables, cached_stations

    def collect(self) -> Iterable[GaugeMetricFamily]:
        store = GaugeMetricFamily(
            "pollwatch_aggregator_store_memory_bytes",
            "Memory RocksDB holds for a table's local store, summed over its partitions, by part.",
            labels=["table", "part"],
        )
        for name, table in self._tables():
            databases = list(store_databases(table).values())
            for part, prop in ROCKSDB_PARTS.items():
                total = sum(db.property_int_value(prop) or 0 for db in databases)
                store.add_metric([name, part], float(total))
        yield store
        yield GaugeMetricFamily(
            "pollwatch_aggregator_cached_stations",
            "Stations whose state the station agent holds decoded in memory.",
            value=float(self._cached_stations()),
        )
