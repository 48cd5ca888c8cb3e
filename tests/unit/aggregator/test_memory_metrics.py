"""The memory gauges read RocksDB's buffers from the app's real table stores at scrape time."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from services.aggregator import metrics
from services.aggregator.app import create_app
from services.aggregator.memory_metrics import MemoryCollector
from services.aggregator.settings import AggregatorSettings
from services.common.infra.settings import SharedSettings


def _samples(collector: MemoryCollector) -> dict[tuple[str, ...], float]:
    return {(s.name, *s.labels.values()): s.value for family in collector.collect() for s in family.samples}


def test_store_memory_is_each_tables_rocksdb_memtables_summed_over_partitions(tmp_path: Path) -> None:
    shared = SharedSettings(kafka_bootstrap="127.0.0.1:1", topic_namespace="unit")
    app = create_app(AggregatorSettings(shared=shared, data_dir=tmp_path))
    store = cast(Any, app.tables["station-state"]).data
    databases = [store._db_for_partition(p) for p in (0, 3)]
    for n, db in enumerate(databases):
        for i in range(2_000 * (n + 1)):
            db[f"S{i}".encode()] = bytes(1_000)
    held = [db.property_int_value("rocksdb.cur-size-all-mem-tables") for db in databases]
    assert held[0] > 2_000_000
    assert held[1] > held[0]

    samples = _samples(metrics.MEMORY)
    name = "pollwatch_aggregator_store_memory_bytes"
    assert samples[(name, "station-state", "memtables")] == sum(held)
    assert samples[(name, "region-alerts", "memtables")] == 0  # no partition opened
    assert {part for (n, _, part) in (k for k in samples if k[0] == name)} == {
        "memtables",
        "block_cache",
        "table_readers",
    }


def test_cached_stations_counts_what_the_source_holds_and_other_stores_count_nothing() -> None:
    cache = {"S1": object(), "S2": object()}
    in_memory = SimpleNamespace(data={})  # faust's memory store: no RocksDB databases
    collector = MemoryCollector()
    collector.watch(lambda: [("station-state", in_memory)], lambda: len(cache))
    samples = _samples(collector)
    assert samples[("pollwatch_aggregator_cached_stations",)] == 2
    assert samples[("pollwatch_aggregator_store_memory_bytes", "station-state", "memtables")] == 0
    cache["S3"] = object()
    assert _samples(collector)[("pollwatch_aggregator_cached_stations",)] == 3
