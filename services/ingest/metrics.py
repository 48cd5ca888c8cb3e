"""Every Prometheus metric ingest exports, declared once, on a registry of the app's own."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.process_collector import ProcessCollector

# Set (by `python -m services.ingest` with INGEST_WORKERS > 1) before the workers start: each
# worker then writes its values to files there, and any worker's /metrics sums them all.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


_LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.03,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
)


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        shared_dir = multiprocess_dir()
        if shared_dir is None:
            ProcessCollector(registry=self.registry)
            self.exposed = self.registry
        else:  # every worker's values, summed (process_* figures are per process: left out)
            self.exposed = CollectorRegistry()
            multiprocess.MultiProcessCollector(self.exposed, path=shared_dir)  # type: ignore[no-untyped-call]
        self.reports = Counter(
            "pollwatch_ingest_reports_total",
            "Reports by outcome (accepted, duplicate, rejected, unavailable), kind, channel and reason.",
            ["outcome", "kind", "channel", "reason"],
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "pollwatch_ingest_request_duration_seconds",
            "Time to answer a request, by route and HTTP status.",
            ["route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.produce_duration = Histogram(
            "pollwatch_ingest_kafka_produce_duration_seconds",
            "Time from enqueueing a request's reports to Kafka's last acknowledgement.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.producer_replacements = Counter(
            "pollwatch_ingest_kafka_producer_replacements_total",
            "Kafka producers retired after a failed delivery and replaced by a new one, by the "
            "failure (aiokafka never renumbers the batches after a failed one).",
            ["reason"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "pollwatch_ingest_requests_in_flight",
            "Requests being handled now, by route.",
            ["route"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.checkins = Counter(
            "pollwatch_ingest_checkins_total",
            "Check-in replies (OK / ДА / ИӘ) recorded: monitors at their stations.",
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "pollwatch_ingest_dead_letters_total",
            "SMS kept on the dead-letter topic, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.dedup_batch_ids = Histogram(
            "pollwatch_ingest_dedup_batch_ids",
            "Report ids claimed, accepted or released per dedup statement (group commit).",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000),
            registry=self.registry,
        )
        self.dedup_record_failures = Counter(
            "pollwatch_ingest_dedup_record_failures_total",
            "Reports Kafka acknowledged whose id could not be recorded in the dedup store.",
            registry=self.registry,
        )
        self.evidence_uploads = Counter(
            "pollwatch_ingest_evidence_uploads_total",
            "Evidence photo uploads by outcome (stored, duplicate, rejected, unavailable) and "
            "reason (the error code of a rejected one).",
            ["outcome", "reason"],
            registry=self.registry,
        )
        self.evidence_bytes = Counter(
            "pollwatch_ingest_evidence_stored_bytes_total",
            "Bytes of evidence photos stored (each distinct photo once).",
            registry=self.registry,
        )
