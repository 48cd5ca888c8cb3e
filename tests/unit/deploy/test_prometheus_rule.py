"""The PrometheusRule in deploy/k8s carries deploy/prometheus/rules.yaml unchanged (`make k8s-generate`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.tools.k8s_prometheus_rule import RULES, render

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "deploy/k8s/base/monitoring/prometheusrule.yaml"


def test_committed_file_is_the_generator_output() -> None:
    assert COMMITTED.read_text() == render(), (
        "PrometheusRule drifted from rules.yaml: run `make k8s-generate`"
    )


def test_the_resource_holds_exactly_the_rule_groups_of_the_source() -> None:
    resource = yaml.safe_load(COMMITTED.read_text())
    assert (resource["apiVersion"], resource["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert resource["spec"]["groups"] == yaml.safe_load(RULES.read_text())["groups"]
    alerts = [r["alert"] for g in resource["spec"]["groups"] for r in g["rules"]]
    assert "PollwatchConsumerLagGrowing" in alerts
    assert len(alerts) == len(set(alerts))


def test_a_changed_source_changes_the_output(tmp_path: Path) -> None:
    source = yaml.safe_load(RULES.read_text())
    source["groups"][0]["rules"][0]["for"] = "7m"
    changed = tmp_path / "rules.yaml"
    changed.write_text(yaml.safe_dump(source))
    out = render(changed)
    assert out != render()
    assert yaml.safe_load(out)["spec"]["groups"][0]["rules"][0]["for"] == "7m"
