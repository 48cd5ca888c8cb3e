"""The figures each fault leaves (5xx, lost, duplicated, recovery seconds), printed at the end of
the run and written to artifacts/faults.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.support.infra import ROOT

ARTIFACT = ROOT / "artifacts" / "faults.json"
# The services' logs of the last run (pytest's temporary directories are rotated by other runs).
LOG_DIR = ROOT / "artifacts" / "faults"


@dataclass
class FaultFigures:
    fault: str
    down_s: float = 0.0  # how long the dependency was down (0 for a SIGKILL)
    requests: int = 0  # POST /v1/reports sent during the phase, resends included
    unavailable: int = 0  # answered 503
    unavailable_reasons: dict[str, int] = field(default_factory=dict)  # per report: kafka_timeout, ...
    server_errors: int = 0  # answered another 5xx
    no_answer: int = 0  # refused, reset or timed out
    acknowledged: int = 0  # reports acknowledged during the phase
    reports_per_s: int = 0  # acknowledged per second from the fault's start to the phones' pause
    lost: int = 0
    duplicated: int = 0
    transitions: int = 0  # station-rule alert transitions expected so far
    alerts_lost: int = 0
    alerts_doubled: int = 0
    graphql_errors: int = 0  # dashboard queries answered with a 5xx other than 503
    ingest_s: float | None = None  # from the end of the fault to ingest's next acknowledgement
    median_wait_s: float = 0.0  # a phone's wait for a batch's acknowledgement, resends included
    longest_wait_s: float = 0.0
    read_model_s: float | None = None  # until every report acknowledged by then was in PostgreSQL
    ready_s: dict[str, float | None] = field(default_factory=dict)  # until /readyz said ready
    restarts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    phases_s: dict[str, float] = field(default_factory=dict)  # where the suite's time went


@dataclass
class FuzzFigures:
    probes: str
    tried: int
    statuses: dict[str, int]  # "reports 422": how many
    server_errors: int  # answers >= 500, 503 included
    acknowledged: int
    lost: int
    problems: list[str] = field(default_factory=list)


COLLECTED: list[FaultFigures] = []
FUZZED: list[FuzzFigures] = []


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}"


def table(rows: list[FaultFigures]) -> list[str]:
    """One line per fault, as in docs/ops.md."""
    head = (
        "| fault | down s | requests | 503 | other 5xx | acknowledged | lost | duplicated "
        "| alert transitions lost / doubled | ingest back s | read model s "
        "| ready again s (ingest, aggregator, api) |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        ready = ", ".join(_s(r.ready_s.get(name)) for name in ("ingest", "aggregator", "api"))
        lines.append(
            f"| {r.fault} | {r.down_s:.0f} | {r.requests} | {r.unavailable} | {r.server_errors} "
            f"| {r.acknowledged} "
            f"| {r.lost} | {r.duplicated} | {r.alerts_lost} / {r.alerts_doubled} of {r.transitions} "
            f"| {_s(r.ingest_s)} | {_s(r.read_model_s)} | {ready} |"
        )
    return lines


def fuzz_table(rows: list[FuzzFigures]) -> list[str]:
    lines = ["| probes | tried | 5xx | acknowledged | lost | problems |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {r.probes} | {r.tried} | {r.server_errors} | {r.acknowledged} | {r.lost} | {len(r.problems)} |"
        for r in rows
    ]
    return lines


def write(path: Path = ARTIFACT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = {"faults": [asdict(r) for r in COLLECTED], "fuzz": [asdict(r) for r in FUZZED]}
    path.write_text(json.dumps(figures, indent=2))
