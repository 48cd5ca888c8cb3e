"""Every Prometheus metric the aggregator exports, declared once."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600)

EVENTS = Counter(
    "aggregator_events_processed_total",
    "Reports consumed, by kind and outcome (new, duplicate, too_late, undecodable).",
    ["kind", "outcome"],
)
LATENCY_OBSERVED = Histogram(
    "aggregator_observed_to_stats_seconds",
    "From a report's observed_at to its station's figures being sent.",
    buckets=_LATENCY_BUCKETS,
)
LATENCY_RECEIVED = Histogram(
    "aggregator_received_to_stats_seconds",
    "From a report's received_at (ingest) to its station's figures being sent.",
    buckets=_LATENCY_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "aggregator_consumer_lag_messages", "Reports not yet processed, per partition.", ["partition"]
)
ALERTS = Counter(
    "aggregator_alerts_total", "Alert transitions sent, by rule and transition.", ["rule", "transition"]
)
DEAD_LETTERS = Counter("aggregator_dead_letters_total", "Messages sent to the dead-letter topic.", ["source"])
STATS_SENT = Counter("aggregator_stats_sent_total", "Figures sent after conflation, by kind.", ["kind"])
SINK_ROWS = Counter("aggregator_sink_rows_total", "Rows written to PostgreSQL, by table.", ["table"])
SINK_SECONDS = Histogram("aggregator_sink_batch_seconds", "Time to write one batch to PostgreSQL.", ["table"])
SINK_ERRORS = Counter("aggregator_sink_errors_total", "PostgreSQL batch writes that failed and were retried.")
