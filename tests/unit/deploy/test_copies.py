"""Files kustomize needs inside deploy/k8s equal what they are generated from (`make k8s-generate`)."""

from __future__ import annotations

from pathlib import Path

from deploy.tools.k8s_rules import generated

ROOT = Path(__file__).resolve().parents[3]


def test_the_aggregator_rules_configmap_folder_is_generated_from_the_profiles() -> None:
    folder = ROOT / "deploy/k8s/base/aggregator/rules"
    committed = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
    assert committed == generated(), (
        "deploy/k8s/base/aggregator/rules differs from services/aggregator/rules: run `make k8s-generate`"
    )
    assert "ru-2011-duma.yaml" in committed["kustomization.yaml"]
