"""The faust application: topics, tables, agents, timers and the health pages."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import faust
from faust.tables.manager import TableManager
from faust.types import TP
from faust.web import Request, Response, View
from mode import CrashingSupervisor
from prometheus_client import generate_latest

from services.aggregator import faust_tuning, metrics, station_ports
from services.aggregator.domain.rule_config import load_rules
from services.aggregator.forensics_agent import register_forensics
from services.aggregator.progress import Progress
from services.aggregator.region_agent import RegionAgent
from services.aggregator.registry import load_registry
from services.aggregator.runtime import Runtime
from services.aggregator.settings import AggregatorSettings
from services.aggregator.sink_agents import figures_sinks
from services.aggregator.station_agent import StationAgent
from services.aggregator.verification_agent import VerificationAgent
from services.common.contracts import topics
from services.common.infra.db import create_pool, database_reachable
from services.common.infra.gc_freeze import FreezePolicy
from services.common.infra.kafka_admin import broker_reachable
from services.common.registry.registry_events import reload_on_change
from services.patches import faust as faust_patch

log = logging.getLogger(__name__)
RAW: dict[str, Any] = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}


def _async(tick: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        tick()

    return run


def create_app(settings: AggregatorSettings) -> faust.App:
    shared = settings.shared
    app = faust_tuning.App(
        shared.topic(settings.app_id),
        broker=f"kafka://{shared.kafka_bootstrap}",
        store="rocksdb://",
        datadir=str(settings.data_dir),
        web_host=settings.host,
        web_port=settings.port,
        topic_replication_factor=settings.topic_replication_factor,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        producer_linger_ms=5,
        # faust's default (16 KB) holds ~8 station-state records: every few records `send` waited
        # for the broker to take a batch; at thousands of records per second the worker idled.
        producer_max_batch_size=settings.producer_batch_bytes,
        # With faust's 4,096 a backlog kept the stream buffer full, which sends every record
        # through the conductor's slow path (a task per record).
        stream_buffer_maxsize=16_384,
        Monitor=faust_patch.monitor_class(),
        # An agent that fails stops the worker, which restarts from its committed offsets. faust's
        # default restarts the agent alone; the station agent's unacked batches then held every
        # later offset back and the restarted agent stalled, with the worker still "healthy".
        agent_supervisor=CrashingSupervisor,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        consumer_metadata_max_age_ms=settings.metadata_max_age_ms,
    )
    app.fetch_wait_ms = settings.fetch_wait_ms
    rules_path = settings.rules_path()
    log.info("alert rules: %s", rules_path)
    rt = Runtime(settings, load_rules(rules_path))
    metrics.precreate((shared.topic(topics.REPORTS.name),))
    metrics.watch_pool(lambda: rt.pool)
    metrics.watch_stalls(lambda: rt.stalls.longest_s(time.monotonic()))
    # The registry creates these topics; faust must not try to declare them differently.
    rt.topic_map = {t.name: app.topic(shared.topic(t.name), internal=False, **RAW) for t in topics.ALL}
    regions = RegionAgent(app, rt)
    source = rt.topic(topics.REPORTS)
    feed = station_ports.SummariesFeed(regions.summaries, regions.sent)
    stations = StationAgent(
        rt,
        table=station_ports.FaustStateTable(app),
        outbox=station_ports.KafkaOutbox(app, rt),
        read_model=station_ports.PgReadModel(rt),
        region_feed=feed,
        dead_letters=station_ports.KafkaDeadLetters(rt),
        acker=station_ports.FaustAcker(),
        highwater=lambda partition: app.consumer.highwater(TP(source.get_topic_name(), partition)),
        stop=app.crash,
    )
    progress = Progress()
    metrics.MEMORY.watch(lambda: list(app.tables.items()), lambda: len(stations.cache))
    stations.register(app, source)
    regions.register(app)
    verifications = VerificationAgent(rt, stations)
    app.agent(rt.topic(topics.VERIFICATIONS), name="verifications")(verifications.process)
    sinks = figures_sinks(rt)
    app.agent(rt.topic(topics.REGION_STATS), name="region-stats-sink")(sinks["region_stats"])
    app.agent(rt.topic(topics.ALERTS), name="alerts-sink")(sinks["alerts"])
    forensics = register_forensics(app, rt)
    if forensics is not None:
        feed.forward.append(forensics.forward)

    async def start() -> None:
        rt.pool = await create_pool(shared)
        rt.set_registry(await load_registry(rt.pool))
        log.info("registry: %d stations", len(rt.registry))
        rt.ready.set()

    async def refresh_registry() -> None:
        # On every registry load (LISTEN/NOTIFY), and every registry_refresh_s regardless.
        await rt.ready.wait()
        assert rt.pool is not None

        async def reload() -> None:
            assert rt.pool is not None
            rt.set_registry(await load_registry(rt.pool))

        await reload_on_change(rt.pool, reload, settings.registry_refresh_s)

    async def lag() -> None:
        source = rt.topic(topics.REPORTS).get_topic_name()
        assigned = {tp.partition for tp in app.consumer.assignment() if tp.topic == source}
        handled = {partition: rt.positions.get(partition, -1) for partition in assigned}
        waiting = False
        for partition, done in handled.items():
            lag = max(0, (app.consumer.highwater(TP(source, partition)) or 0) - done - 1)
            metrics.CONSUMER_LAG.labels(str(partition)).set(lag)
            waiting = waiting or lag > 0
        progress.observe(handled, waiting, time.monotonic())
        for partition in set(rt.positions) - assigned:
            forget_partition(partition)

    def forget_partition(partition: int) -> None:
        rt.positions.pop(partition, None)
        with contextlib.suppress(KeyError):  # never exported
            metrics.CONSUMER_LAG.remove(str(partition))

    def on_revoked(sender: Any, revoked: Any = (), /, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        stations.forget()
        source = rt.topic(topics.REPORTS).get_topic_name()
        for tp in revoked:
            if tp.topic == source:
                forget_partition(tp.partition)

    def on_shutdown(sender: Any, /, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        if rt.pool is not None:
            rt.pool.terminate()

    app.task(start)
    app.task(refresh_registry)
    app.timer(interval=5.0)(lag)
    if settings.gc_freeze_seconds > 0:
        # Station states are long-lived: without this the collector's older generations walked
        # all of them (samples in arbitrary allocation sites during the live probe).
        freezer = FreezePolicy()
        app.timer(interval=settings.gc_freeze_seconds)(_async(freezer.tick))
    app.on_partitions_revoked.connect(on_revoked)
    app.on_before_shutdown.connect(on_shutdown)

    @app.page("/healthz")
    async def healthz(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(self: View, request: Request) -> Response:
        checks = {
            "kafka": await broker_reachable(shared.kafka_bootstrap),
            "database": rt.pool is not None and await database_reachable(rt.pool),
            "registry": rt.ready.is_set(),
            # Joined the group and recovered its tables: reading. Reports sent before wait for it.
            "streaming": streaming(app),
            # Crashed or stopping: it reads nothing more (worker.py bounds how long it lingers).
            "running": not app.should_stop,
            # A PostgreSQL write failing for longer than this holds every later batch back.
            "sink": rt.stalls.longest_s(time.monotonic()) < settings.sink_stall_after_s,
            # Reports waiting while nothing is handled, whatever the reason.
            "progress": progress.stuck_s(time.monotonic()) < settings.stuck_after_s,
        }
        ok = all(checks.values())
        return self.json(
            {"status": "ready" if ok else "not ready", "checks": checks}, status=200 if ok else 503
        )

    @app.page("/metrics")
    async def metrics_page(self: View, request: Request) -> Response:
        # aiohttp wants the charset apart from the content type.
        return self.bytes(generate_latest(), content_type="text/plain; version=0.0.4")

    return app


def streaming(app: faust.App) -> bool:
    """Whether the worker is reading its partitions: its first rebalance and table recovery are
    done and no later one is under way (under load faust's start has taken tens of seconds)."""
    recovery = cast(TableManager, app.tables).recovery  # TableManagerT does not declare it
    return recovery.completed.is_set() and not app.rebalancing and not recovery.in_recovery
