"""Both overlays render and pass the Kubernetes and CRD schemas; the schemas really bite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.integration.deploy.conftest import OVERLAYS, RENDERED, ROOT, VALIDATE, Manifest

pytestmark = pytest.mark.timeout(1200)


def test_both_overlays_validate(validation: subprocess.CompletedProcess[str]) -> None:
    assert validation.returncode == 0, validation.stdout + validation.stderr
    summaries = [line for line in validation.stdout.splitlines() if line.startswith("Summary:")]
    assert len(summaries) == len(OVERLAYS)
    for line in summaries:
        assert "Invalid: 0, Errors: 0" in line, line
    assert "validate_k8s: ok" in validation.stderr


def _check(tmp_path: Path, docs: list[Manifest]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "mutated.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    return subprocess.run(
        [str(VALIDATE), "--files", str(path)], cwd=ROOT, capture_output=True, text=True, check=False
    )


def _prod(kind: str, rendered: dict[str, list[Manifest]]) -> Manifest:
    return next(d for d in rendered["prod"] if d["kind"] == kind)


def test_an_unknown_field_in_a_deployment_fails(tmp_path: Path, rendered: dict[str, list[Manifest]]) -> None:
    deployment = _prod("Deployment", rendered)
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    result = _check(tmp_path, [deployment])
    assert result.returncode != 0
    assert "readinessProbes" in result.stdout


def test_an_unknown_field_in_the_cloudnativepg_cluster_fails(
    tmp_path: Path, rendered: dict[str, list[Manifest]]
) -> None:
    cluster = _prod("Cluster", rendered)
    cluster["spec"]["instance"] = 3
    result = _check(tmp_path, [cluster])
    assert result.returncode != 0
    assert "instance" in result.stdout


def test_a_wrong_type_in_a_service_monitor_fails(tmp_path: Path, rendered: dict[str, list[Manifest]]) -> None:
    monitor = _prod("ServiceMonitor", rendered)
    monitor["spec"]["endpoints"] = {"port": "http"}
    assert _check(tmp_path, [monitor]).returncode != 0


def test_a_kind_without_any_schema_fails(tmp_path: Path) -> None:
    # Only Strimzi's kinds are let through unvalidated (they are checked in test_policies).
    unknown = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert _check(tmp_path, [unknown]).returncode != 0


def test_rendered_files_are_left_for_inspection(rendered: dict[str, list[Manifest]]) -> None:
    assert sorted(p.name for p in (ROOT / "deploy/k8s/overlays").iterdir()) == sorted(OVERLAYS)
    for overlay in OVERLAYS:
        assert (RENDERED / f"{overlay}.yaml").stat().st_size > 0
        assert {d["metadata"].get("namespace") for d in rendered[overlay] if d["kind"] != "Namespace"} == {
            "pollwatch" if overlay == "prod" else "pollwatch-dev"
        }
