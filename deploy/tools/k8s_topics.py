"""Strimzi KafkaTopic manifests generated from the topic registry, so deploy/ cannot drift from it.

`python -m deploy.tools.k8s_topics > deploy/k8s/base/kafka/topics.yaml` (or `make k8s-generate`)
rewrites the committed file; tests/unit/deploy checks the committed file equals this output.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from services.common.contracts.topics import ALL, Topic

# The Strimzi Kafka resource (deploy/k8s/base/kafka/kafka.yaml) these topics belong to.
KAFKA_CLUSTER = "pollwatch"
# Production replication; the dev overlay patches every KafkaTopic down to one replica.
REPLICAS = 3
HEADER = (
    "# GENERATED from services/common/contracts/topics.py by `make k8s-generate`: do not edit.\n"
    "# One Strimzi KafkaTopic per registry topic (tests/unit/deploy checks they agree).\n"
)


def kafka_topic(topic: Topic, replicas: int = REPLICAS) -> dict[str, Any]:
    """The KafkaTopic resource for one registry topic (no namespace prefix: one deployment per cluster)."""
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {
            "name": topic.name,
            "labels": {
                "strimzi.io/cluster": KAFKA_CLUSTER,
                "app.kubernetes.io/part-of": "pollwatch",
            },
            "annotations": {"pollwatch.io/description": topic.description},
        },
        "spec": {
            "topicName": topic.name,
            "partitions": topic.partitions,
            "replicas": replicas,
            "config": dict(sorted(topic.configs().items())),
        },
    }


def render(topics: tuple[Topic, ...] = ALL) -> str:
    """Every topic as one multi-document YAML stream, in registry order."""
    docs = [yaml.safe_dump(kafka_topic(t), sort_keys=False, width=200) for t in topics]
    return HEADER + "---\n" + "---\n".join(docs)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
