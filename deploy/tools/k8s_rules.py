"""The aggregator's rules profiles as a kustomize ConfigMap generator, so deploy/k8s cannot drift.

`python -m deploy.tools.k8s_rules deploy/k8s/base/aggregator/rules` (or `make
k8s-generate`) copies every profile of services/aggregator/rules/ there, beside a
kustomization.yaml generating one ConfigMap from them (kustomize reads no file outside its
directory); tests/unit/deploy checks the folder equals this output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from services.aggregator.domain.rule_config import RULES_DIR, profiles

CONFIGMAP = "pollwatch-aggregator-rules"


def kustomization(names: list[str]) -> str:
    files = "".join(f"      - {name}.yaml\n" for name in names)
    return (
        "# GENERATED from services/aggregator/rules/ by `make k8s-generate`: do not edit.\n"
        "# Every rules profile as one ConfigMap, mounted at /etc/pollwatch/aggregator/rules; the\n"
        "# statefulset's AGGREGATOR_RULES_PROFILE picks one. Its name gets a content hash, so a\n"
        "# rules change rolls the aggregator.\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "configMapGenerator:\n"
        f"  - name: {CONFIGMAP}\n"
        "    files:\n"
        f"{files}"
    )


def generated(rules_dir: Path = RULES_DIR) -> dict[str, str]:
    """File name -> content of the generated folder."""
    names = profiles(rules_dir)
    out = {f"{name}.yaml": (rules_dir / f"{name}.yaml").read_text(encoding="utf-8") for name in names}
    out["kustomization.yaml"] = kustomization(names)
    return out


def write(target: Path) -> None:
    """Rewrites `target` to hold exactly the generated files."""
    target.mkdir(parents=True, exist_ok=True)
    files = generated()
    for stale in target.glob("*.yaml"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
