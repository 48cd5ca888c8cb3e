"""Files kustomize needs inside deploy/k8s are exact copies of their sources (`make k8s-generate`)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_aggregator_rules_configmap_source_equals_the_services_rules() -> None:
    source = ROOT / "services/aggregator/rules.yaml"
    copy = ROOT / "deploy/k8s/base/aggregator/rules.yaml"
    assert copy.read_bytes() == source.read_bytes(), (
        "deploy/k8s/base/aggregator/rules.yaml differs from services/aggregator/rules.yaml: "
        "run `make k8s-generate`"
    )
