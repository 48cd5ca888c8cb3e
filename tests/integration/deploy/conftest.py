"""Renders and validates both overlays once per session with the project's own tools."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
VALIDATE = ROOT / "infra/validate_k8s.sh"
RENDERED = ROOT / ".local/k8s-tools/rendered"
OVERLAYS = ("dev", "prod")

Manifest = dict[str, Any]


@pytest.fixture(scope="session")
def validation() -> subprocess.CompletedProcess[str]:
    """infra/validate_k8s.sh on both overlays (installs kustomize, kubeconform, hadolint, schemas)."""
    return subprocess.run(
        [str(VALIDATE), *OVERLAYS], cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False
    )


@pytest.fixture(scope="session")
def rendered(validation: subprocess.CompletedProcess[str]) -> dict[str, list[Manifest]]:
    """overlay -> its rendered manifests."""
    assert validation.returncode == 0, validation.stdout + validation.stderr
    return {o: [d for d in yaml.safe_load_all((RENDERED / f"{o}.yaml").read_text()) if d] for o in OVERLAYS}


def find(docs: list[Manifest], kind: str, name: str | None = None) -> list[Manifest]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: list[Manifest], kind: str, name: str) -> Manifest:
    found = find(docs, kind, name)
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]
