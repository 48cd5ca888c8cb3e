"""Every Prometheus metric the aggregator exports, declared once."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from services.aggregator.domain import region_rules, station_rules
from services.aggregator.memory_metrics import MemoryCollector
from services.common.contracts import events as ev
from services.common.infra.pool_metrics import register_pool_metrics

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600)

EVENTS = Counter(
    "pollwatch_aggregator_events_processed_total",
    "Reports consumed, by kind and outcome (new, duplicate, too_late, undecodable).",
    ["kind", "outcome"],
)
LATENCY_OBSERVED = Histogram(
    "pollwatch_aggregator_observed_to_stats_seconds",
    "From a report's observed_at to its station's figures being sent.",
    buckets=_LATENCY_BUCKETS,
)
LATENCY_RECEIVED = Histogram(
    "pollwatch_aggregator_received_to_stats_seconds",
    "From a report's received_at (ingest) to its station's figures being sent.",
    buckets=_LATENCY_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "pollwatch_aggregator_consumer_lag_messages", "Reports not yet processed, per partition.", ["partition"]
)
ALERTS = Counter(
    "pollwatch_aggregator_alerts_total",
    "Alert transitions sent, by rule, severity and transition.",
    ["rule", "severity", "transition"],
)
DEAD_LETTERS = Counter(
    "pollwatch_aggregator_dead_letters_total", "Messages sent to the dead-letter topic.", ["source"]
)
STATS_SENT = Counter(
    "pollwatch_aggregator_stats_sent_total", "Figures sent after conflation, by kind.", ["kind"]
)
RECOMPUTED = Counter(
    "pollwatch_aggregator_stations_recomputed_total",
    "Stations recomputed from their counting reports after a verification decision moved one"
    " of their reports in or out of the figures.",
)
BATCHES = Counter(
    "pollwatch_aggregator_batches_total",
    "Batches of reports the station agent handled (events processed / batches = mean batch size).",
)
SINK_ROWS = Counter(
    "pollwatch_aggregator_sink_rows_total", "Rows written to PostgreSQL, by table.", ["table"]
)
SINK_SECONDS = Histogram(
    "pollwatch_aggregator_sink_batch_seconds", "Time to write one batch to PostgreSQL.", ["table"]
)
SINK_ERRORS = Counter(
    "pollwatch_aggregator_sink_errors_total", "PostgreSQL batch writes that failed and were retried."
)
ROWS_REFUSED = Counter(
    "pollwatch_aggregator_sink_rows_refused_total",
    "Rows PostgreSQL refused for their content (SQLSTATE class 22 or 23), dead-lettered, by table.",
    ["table"],
)
SINK_STALLED = Gauge(
    "pollwatch_aggregator_sink_stalled_seconds",
    "How long the oldest PostgreSQL write still failing has been retried (0: none is failing).",
)

# RocksDB buffers per table and decoded station states; `MEMORY.watch` gives it the app's.
MEMORY = MemoryCollector()
REGISTRY.register(MEMORY)

# The severities each rule can raise (an UPDATED transition may move between them).
RULE_SEVERITIES: dict[str, tuple[ev.Severity, ...]] = {
    station_rules.ABNORMAL_TURNOUT: (ev.Severity.WARNING, ev.Severity.CRITICAL),
    station_rules.HOME_VOTING: (ev.Severity.WARNING, ev.Severity.CRITICAL),
    station_rules.TURNOUT_JUMP: (ev.Severity.CRITICAL,),
    station_rules.INCIDENT_BURST: (ev.Severity.WARNING,),
    station_rules.GRAVE_INCIDENT: (ev.Severity.CRITICAL,),
    station_rules.VIOLATION_REPORTED: (ev.Severity.WARNING, ev.Severity.CRITICAL),
    station_rules.CHECKLIST_FAILED: (ev.Severity.CRITICAL,),
    station_rules.PROTOCOL_REFUSED: (ev.Severity.CRITICAL,),
    station_rules.PROTOCOL_INCONSISTENT: (ev.Severity.CRITICAL,),
    region_rules.SILENT_STATION: (ev.Severity.WARNING,),
    region_rules.TURNOUT_OUTLIER: (ev.Severity.WARNING,),
    region_rules.MONITOR_ABSENT: (ev.Severity.CRITICAL,),
    region_rules.CHECKLIST_REGION: (ev.Severity.WARNING,),
}
OUTCOMES = ("new", "duplicate", "too_late")
SINK_TABLES = ("reports", "station_stats", "region_stats", "alerts", "forensics")
_pool: list[Callable[[], asyncpg.Pool | None]] = []


def alert_sent(alert: ev.Alert) -> None:
    ALERTS.labels(alert.rule, alert.severity.value, alert.transition.value).inc()


def precreate(dead_letter_sources: tuple[str, ...]) -> None:
    """Creates every known label combination at zero, so that increase() sees the first event."""
    for kind in ev.ReportKind:
        for outcome in OUTCOMES:
            EVENTS.labels(kind.value, outcome)
    EVENTS.labels("unknown", "undecodable")
    for rule, severities in RULE_SEVERITIES.items():
        for severity in severities:
            for transition in ev.AlertTransition:
                ALERTS.labels(rule, severity.value, transition.value)
    for source in dead_letter_sources:
        DEAD_LETTERS.labels(source)
    for figures in ("station", "region"):
        STATS_SENT.labels(figures)
    for table in SINK_TABLES:
        SINK_ROWS.labels(table)
        SINK_SECONDS.labels(table)
        ROWS_REFUSED.labels(table)


def watch_stalls(longest_s: Callable[[], float]) -> None:
    """Exports how long the oldest failing write has been failing, read at scrape time."""
    SINK_STALLED.set_function(longest_s)


def watch_pool(current: Callable[[], asyncpg.Pool | None]) -> None:
    """Exports the pool gauges (pollwatch_db_pool_*) of the pool `current` returns at scrape time."""
    first = not _pool
    _pool.append(current)
    if first:  # registering collects once: the source must be there
        register_pool_metrics(REGISTRY, lambda: _pool[-1]())
