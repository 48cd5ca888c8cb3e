"""The topic registry: every Kafka topic pollwatch uses, described once.

Topics are created explicitly (`pollwatch topics create`); the broker's auto-creation is off.
A namespace (settings) prefixes every name so tests and several deployments can share a broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    message: str  # the protobuf full name of the value
    partitions: int
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    compacted: bool = False
    retention_ms: int = 14 * 24 * 3600 * 1000
    config: dict[str, str] = field(default_factory=dict)

    def configs(self) -> dict[str, str]:
        """Topic-level configuration for creation."""
        base = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if not self.compacted:
            base["retention.ms"] = str(self.retention_ms)
        return base | self.config

    def qualified(self, namespace: str) -> str:
        return f"{namespace}.{self.name}" if namespace else self.name


# Six partitions let six aggregator workers share a national election (~100k stations).
REPORTS = Topic(
    name="pollwatch.reports.v1",
    key="station_id",
    message="pollwatch.v1.Report",
    partitions=6,
    description="Monitors' reports as ingest accepted them; keyed by station so a station is ordered.",
    producers=("ingest",),
    consumers=("aggregator",),
    # Reports are the record of election day: keep them long after it.
    retention_ms=90 * 24 * 3600 * 1000,
)
STATION_STATS = Topic(
    name="pollwatch.station-stats.v1",
    key="station_id",
    message="pollwatch.v1.StationStats",
    partitions=6,
    description="Latest rolling statistics per station (compacted).",
    producers=("aggregator",),
    consumers=("api",),
    compacted=True,
)
REGION_STATS = Topic(
    name="pollwatch.region-stats.v1",
    key="region_id ('' for nationwide)",
    message="pollwatch.v1.RegionStats",
    partitions=1,
    description="Latest roll-up per region and nationwide (compacted).",
    producers=("aggregator",),
    consumers=("api",),
    compacted=True,
)
ALERTS = Topic(
    name="pollwatch.alerts.v1",
    key="alert id",
    message="pollwatch.v1.Alert",
    partitions=3,
    description="Every alert transition: opened, updated, resolved.",
    producers=("aggregator",),
    consumers=("api", "messenger"),
    retention_ms=90 * 24 * 3600 * 1000,
)
DEAD_LETTER = Topic(
    name="pollwatch.dead-letter.v1",
    key="source",
    message="pollwatch.v1.DeadLetter",
    partitions=1,
    description="Messages and SMS that could not be processed, with where they came from.",
    producers=("ingest", "aggregator"),
    consumers=("ops",),
    retention_ms=90 * 24 * 3600 * 1000,
)

BROADCASTS = Topic(
    name="pollwatch.broadcasts.v1",
    key="broadcast id",
    message="pollwatch.v1.Broadcast",
    partitions=1,
    description="Messages to monitors as requested (audience, texts, who asked; never phones or tokens);"
    " the messenger resolves the recipients and sends each one SMS through the gateway, once.",
    producers=("api", "cli"),
    consumers=("messenger",),
    # What was asked of monitors on the day is part of the record.
    retention_ms=90 * 24 * 3600 * 1000,
)

# Keyed and partitioned as REPORTS: a decision on a report is read by the aggregator worker
# holding that station's state (faust assigns topics of equal partition counts together).
VERIFICATIONS = Topic(
    name="pollwatch.verifications.v1",
    key="station_id (region_id for a region's own alert)",
    message="pollwatch.v1.VerificationDecision",
    partitions=REPORTS.partitions,
    description="Coordinators' verification decisions, once PostgreSQL holds them; the aggregator"
    " recomputes a station when one of its reports enters or leaves the figures.",
    producers=("api",),
    consumers=("aggregator",),
    retention_ms=REPORTS.retention_ms,
)

ALL: tuple[Topic, ...] = (
    REPORTS,
    STATION_STATS,
    REGION_STATS,
    ALERTS,
    DEAD_LETTER,
    BROADCASTS,
    VERIFICATIONS,
)


def by_name(name: str) -> Topic:
    for topic in ALL:
        if topic.name == name:
            return topic
    raise KeyError(f"no topic {name!r} in the registry")
