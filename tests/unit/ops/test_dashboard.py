"""deploy/grafana/election-day.json: a plain Grafana model on a data-source variable, panels laid out
without overlap, and the election-day topics ops watches each have a panel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD: dict[str, Any] = json.loads((ROOT / "deploy/grafana/election-day.json").read_text())
PANELS: list[dict[str, Any]] = DASHBOARD["panels"]
QUERIES = [p for p in PANELS if p["type"] != "row"]


def test_a_plain_grafana_model_with_a_prometheus_datasource_variable() -> None:
    assert 36 <= DASHBOARD["schemaVersion"] <= 41
    assert DASHBOARD["uid"] == "pollwatch-election-day"
    (variable,) = [v for v in DASHBOARD["templating"]["list"] if v["type"] == "datasource"]
    assert (variable["name"], variable["query"]) == ("datasource", "prometheus")
    for panel in QUERIES:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(t["expr"].strip() for t in panel["targets"]), panel["title"]


def test_ids_are_unique_and_panels_do_not_overlap() -> None:
    assert len({p["id"] for p in PANELS}) == len(PANELS)
    cells: dict[tuple[int, int], str] = {}
    for panel in PANELS:
        g = panel["gridPos"]
        assert g["x"] >= 0, panel["title"]
        assert g["x"] + g["w"] <= 24, panel["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def _exprs(panel: dict[str, Any]) -> str:
    return " ".join(t["expr"] for t in panel["targets"])


@pytest.mark.parametrize(
    ("topic", "needle"),
    [
        ("reports by channel and kind", "by (channel, kind) (rate(pollwatch_ingest_reports_total"),
        ("reports by outcome", "by (outcome) (rate(pollwatch_ingest_reports_total"),
        ("ingest 503 share", 'pollwatch_ingest_request_duration_seconds_count{status="503"}'),
        (
            "request latency p99",
            "histogram_quantile(0.99, sum by (le, route) (rate(pollwatch_ingest_request_duration",
        ),
        ("produce latency p99", "histogram_quantile(0.99, sum by (le) (rate(pollwatch_ingest_kafka_produce"),
        ("aggregator events/s", "rate(pollwatch_aggregator_events_processed_total"),
        ("processing latency", "pollwatch_aggregator_received_to_stats_seconds_bucket"),
        ("lag per partition", "max by (partition) (pollwatch_aggregator_consumer_lag_messages)"),
        ("dead letters", "pollwatch_aggregator_dead_letters_total"),
        ("alerts by rule and severity", "by (rule, severity, transition)"),
        ("API outcomes", "by (outcome) (rate(pollwatch_api_requests_total"),
        ("active subscriptions", "pollwatch_api_subscriptions_active"),
        ("connections", "pollwatch_api_ws_connections_active"),
        ("hub queue depth", "pollwatch_api_hub_queue_depth_messages"),
        ("overflow closes", "pollwatch_api_hub_overflow_closed_total"),
        ("PostgreSQL pool", "pollwatch_db_pool_in_use_connections"),
        ("process CPU", "rate(process_cpu_seconds_total"),
        ("process memory", "process_resident_memory_bytes"),
    ],
)
def test_the_issue_topic_has_a_panel(topic: str, needle: str) -> None:
    assert any(needle in _exprs(p) for p in QUERIES), topic
