"""deploy/prometheus: promtool accepts the rules, their unit tests pass and cover every alert both ways;
every dashboard expression is valid PromQL; every alert has a runbook section in docs/ops.md."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy/prometheus/rules.yaml"
RULES_TEST = ROOT / "deploy/prometheus/rules_test.yaml"
DASHBOARD = ROOT / "deploy/grafana/election-day.json"
OPS = ROOT / "docs/ops.md"


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool from Debian's prometheus package (installed by infra/install_promtool.sh if missing)."""
    subprocess.run([str(ROOT / "infra/install_promtool.sh")], check=True, timeout=600)
    path = shutil.which("promtool")
    assert path is not None
    return path


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_check_rules_accepts_the_rules(promtool: str) -> None:
    result = _run(promtool, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_alerts())} rules found" in result.stdout


def test_promtool_unit_tests_pass(promtool: str) -> None:
    result = _run(promtool, "test", "rules", RULES_TEST.name, cwd=RULES_TEST.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_changed_threshold_breaks_the_unit_tests(promtool: str, tmp_path: Path) -> None:
    """The unit tests bite: PollwatchApiErrors at 20% instead of 5% no longer fires on 10% errors."""
    rules = RULES.read_text()
    changed = rules.replace(
        "/ sum(rate(pollwatch_api_requests_total[5m])) > 0.05",
        "/ sum(rate(pollwatch_api_requests_total[5m])) > 0.2",
    )
    assert changed != rules
    (tmp_path / "rules.yaml").write_text(changed)
    shutil.copy(RULES_TEST, tmp_path / RULES_TEST.name)
    result = _run(promtool, "test", "rules", RULES_TEST.name, cwd=tmp_path)
    assert result.returncode != 0
    assert "PollwatchApiErrors" in result.stdout + result.stderr


def test_every_alert_has_a_unit_test_that_fires_it_and_one_that_does_not() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in yaml.safe_load(RULES_TEST.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {a["alert"] for a in _alerts()}
    assert names - firing == set(), "alerts no unit test fires"
    assert names - quiet == set(), "alerts no unit test shows quiet"
    assert (firing | quiet) - names == set(), "unit tests for alerts that do not exist"


def test_every_alert_is_labelled_and_points_at_its_runbook_section() -> None:
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", OPS.read_text(), flags=re.MULTILINE)}
    alerts = _alerts()
    assert alerts, "deploy/prometheus/rules.yaml declares no alert"
    for alert in alerts:
        name = alert["alert"]
        assert alert["labels"]["severity"] in ("critical", "warning"), name
        assert re.fullmatch(r"\d+m", alert["for"]), name
        notes = alert["annotations"]
        assert notes["summary"], name
        assert notes["description"], name
        assert notes["runbook_url"] == f"docs/ops.md#{name.lower()}", name
        assert name.lower() in anchors, f"docs/ops.md has no section '## {name}'"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _dashboard_exprs() -> list[tuple[str, str]]:
    out = []
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel.get("targets", []):
            out.append((panel["title"], target["expr"]))
    return out


def test_every_dashboard_expression_is_valid_promql(promtool: str, tmp_path: Path) -> None:
    # Each expression as a recording rule, Grafana's interval variable made concrete.
    rules = [
        {"record": f"dashboard:panel_{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, (_, expr) in enumerate(_dashboard_exprs())
    ]
    assert len(rules) > 30
    path = tmp_path / "dashboard_rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = _run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        yaml.safe_dump({"groups": [{"name": "d", "rules": [{"record": "x:y", "expr": "sum(rate(x[5m])"}]}]})
    )
    assert _run(promtool, "check", "rules", str(broken)).returncode != 0
