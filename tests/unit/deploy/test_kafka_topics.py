"""The committed KafkaTopic manifests agree with the topic registry (services/common/contracts/topics.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from deploy.tools.k8s_topics import KAFKA_CLUSTER, REPLICAS, kafka_topic, render
from services.common.contracts import topics

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "deploy/k8s/base/kafka/topics.yaml"
KAFKA = ROOT / "deploy/k8s/base/kafka/kafka.yaml"


def _committed() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(COMMITTED.read_text()) if d]


def test_committed_file_is_the_generator_output() -> None:
    assert COMMITTED.read_text() == render(), "deploy/k8s topics drifted: run `make k8s-generate`"


def test_every_registry_topic_has_one_kafka_topic_with_its_settings() -> None:
    by_name = {d["spec"]["topicName"]: d for d in _committed()}
    assert sorted(by_name) == sorted(t.name for t in topics.ALL)
    for topic in topics.ALL:
        spec = by_name[topic.name]["spec"]
        assert spec["partitions"] == topic.partitions
        assert spec["replicas"] == REPLICAS == 3
        assert spec["config"] == topic.configs()
        assert spec["config"]["cleanup.policy"] == ("compact" if topic.compacted else "delete")
        assert by_name[topic.name]["metadata"]["labels"]["strimzi.io/cluster"] == KAFKA_CLUSTER


def test_reports_keep_ninety_days() -> None:
    reports = next(d for d in _committed() if d["spec"]["topicName"] == "pollwatch.reports.v1")
    assert reports["spec"]["config"]["retention.ms"] == str(90 * 24 * 3600 * 1000)
    assert reports["spec"]["partitions"] == 6


def test_a_registry_change_changes_the_output() -> None:
    changed = dataclasses.replace(topics.REPORTS, partitions=12, retention_ms=1000)
    out = kafka_topic(changed)
    assert out["spec"]["partitions"] == 12
    assert out["spec"]["config"]["retention.ms"] == "1000"
    assert render((changed,)) != render((topics.REPORTS,))


def test_topics_belong_to_the_strimzi_cluster_defined_in_deploy() -> None:
    kafka = next(d for d in yaml.safe_load_all(KAFKA.read_text()) if d and d["kind"] == "Kafka")
    assert kafka["metadata"]["name"] == KAFKA_CLUSTER
