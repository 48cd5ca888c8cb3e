"""The prometheus-operator PrometheusRule carrying deploy/prometheus/rules.yaml, so the two cannot drift.

`python -m deploy.tools.k8s_prometheus_rule > deploy/k8s/base/monitoring/prometheusrule.yaml`
(or `make k8s-generate`) rewrites the committed file; tests/unit/deploy checks it equals this output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parents[2] / "deploy/prometheus/rules.yaml"
HEADER = (
    "# GENERATED from deploy/prometheus/rules.yaml by `make k8s-generate`: do not edit.\n"
    "# The pollwatch alert rules for prometheus-operator; runbooks in docs/ops.md.\n"
)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (PromQL expressions) as literal blocks, as in the source file."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def prometheus_rule(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The PrometheusRule resource holding `groups` unchanged."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "pollwatch"},
        "spec": {"groups": groups},
    }


def render(rules: Path = RULES) -> str:
    """The resource for the rule file at `rules`, as YAML."""
    groups = yaml.safe_load(rules.read_text())["groups"]
    body = yaml.dump(prometheus_rule(groups), Dumper=_Dumper, sort_keys=False, width=200)
    return HEADER + body


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
