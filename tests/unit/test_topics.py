from __future__ import annotations

from services.common.contracts import topics


def test_names_are_unique_and_versioned() -> None:
    names = [t.name for t in topics.ALL]
    assert len(names) == len(set(names))
    assert all(n.startswith("pollwatch.") and n.endswith(".v1") for n in names)


def test_reports_are_keyed_by_station() -> None:
    assert topics.REPORTS.key == "station_id"
    assert topics.REPORTS.message == "pollwatch.v1.Report"


def test_stats_topics_are_compacted_and_others_are_not() -> None:
    compacted = {t.name for t in topics.ALL if t.compacted}
    assert compacted == {topics.STATION_STATS.name, topics.REGION_STATS.name}
    assert topics.STATION_STATS.configs() == {"cleanup.policy": "compact"}
    assert topics.REPORTS.configs()["cleanup.policy"] == "delete"
    assert int(topics.REPORTS.configs()["retention.ms"]) >= 30 * 24 * 3600 * 1000


def test_namespace_prefixes_names() -> None:
    assert topics.REPORTS.qualified("t1") == "t1.pollwatch.reports.v1"
    assert topics.REPORTS.qualified("") == "pollwatch.reports.v1"
    assert topics.by_name("pollwatch.alerts.v1") is topics.ALERTS
