"""The aggregator's faust app carries the tuned consumer, fetch pacing, quiet Monitor and RocksDB
options."""

from __future__ import annotations

from pathlib import Path
from time import monotonic

from faust.types import TP
from mode import CrashingSupervisor

from services.aggregator import faust_tuning
from services.aggregator.app import create_app
from services.aggregator.settings import AggregatorSettings
from services.common.infra.settings import SharedSettings
from services.patches import faust as faust_patch


async def test_create_app_wires_the_tuned_parts(tmp_path: Path) -> None:
    shared = SharedSettings(kafka_bootstrap="127.0.0.1:1", topic_namespace="unit")
    settings = AggregatorSettings(
        shared=shared, data_dir=tmp_path, fetch_wait_ms=35, metadata_max_age_ms=4321
    )
    app = create_app(settings)
    assert isinstance(app.consumer, faust_patch.BatchDrainConsumer)
    assert isinstance(app.monitor, faust_patch.QuietMonitor)
    assert app.conf.agent_supervisor is CrashingSupervisor  # type: ignore[comparison-overlap]
    thread = app.consumer._thread
    assert isinstance(thread, faust_patch.PacedConsumerThread)
    kafka_consumer = thread._create_worker_consumer(app.transport)
    try:
        assert kafka_consumer._fetch_min_bytes == faust_patch.FETCH_MIN_BYTES
        assert kafka_consumer._fetch_max_wait_ms == 35
        assert kafka_consumer._client._metadata_max_age_ms == 4321  # test_late_topic.py
    finally:
        await kafka_consumer.stop()
    tables = {t.name: t for t in app.tables.values()}
    assert {"station-state", "region-alerts"} <= set(tables)
    for table in tables.values():
        assert table.options == faust_tuning.rocksdb_options()


def test_quiet_monitor_keeps_the_inbound_time_faust_checks_streams_with() -> None:
    # faust's consumer thread logs "Stream has not started processing" for every partition with
    # a backlog once `stream_inbound_time` has no entry for it 5 minutes after start.
    monitor = faust_patch.QuietMonitor()
    tp = TP("reports", 3)
    before = monotonic()
    assert monitor.on_stream_event_in(tp, 7, stream=None, event=None) is None
    assert before <= monitor.stream_inbound_time[tp] <= monotonic()
    assert TP("reports", 4) not in monitor.stream_inbound_time
