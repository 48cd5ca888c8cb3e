"""The container build files: multi-stage, pinned base, non-root, constraints, the right command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = {"ingest": 8081, "aggregator": 8082, "api": 8080, "messenger": 8083}
# An exact CPython patch release of 3.11 on a named Debian release (or a digest).
PINNED = re.compile(r"^python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?$")


def _instructions(service: str) -> list[tuple[str, str]]:
    text = (ROOT / f"deploy/docker/{service}.Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_multi_stage_on_a_pinned_base(service: str) -> None:
    froms = [arg.split()[0] for op, arg in _instructions(service) if op == "FROM"]
    assert len(froms) >= 2
    assert all(PINNED.match(image) for image in froms), froms


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_runs_as_a_non_root_user(service: str) -> None:
    users = [arg for op, arg in _instructions(service) if op == "USER"]
    assert users, "no USER instruction: the image would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_installs_with_the_constraints_and_runs_the_service(service: str) -> None:
    ins = _instructions(service)
    runs = " ".join(arg for op, arg in ins if op == "RUN")
    assert "--constraint" in runs
    assert "constraints.txt" in runs
    assert ("CMD", f'["{service}"]') in ins
    assert ("ENTRYPOINT", '["pollwatch"]') in ins
    assert ("EXPOSE", str(SERVICES[service])) in ins


def test_every_service_uses_the_same_base() -> None:
    bases = {arg.split()[0] for s in SERVICES for op, arg in _instructions(s) if op == "FROM"}
    assert len(bases) == 1, bases
