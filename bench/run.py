"""make bench: every benchmark module, each figure beside its baseline from the same run.

Writes artifacts/bench.json and prints one table. A module that fails is reported, not fatal.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.support import bench_infra

MODULES = (
    "forensics_bench",
    "ingest_bench",
    "aggregator_bench",
    "api_bench",
    "api_neighbour_bench",
    "pipeline_bench",
    "findings_bench",
    "replay_bench",
    "alert_stream_bench",
    "storage_bench",
    "dashboard_bench",
    "onboarding_bench",
    "notify_bench",
    "monitor_app_bench",
    "export_bench",
)
OUT = Path(__file__).resolve().parents[1] / "artifacts" / "bench.json"


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
    }


def main(selected: list[str]) -> int:
    results: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    failed = 0
    with bench_infra():
        for name in selected or MODULES:
            try:
                module = importlib.import_module(f"bench.{name}")
            except ModuleNotFoundError as exc:
                results[name] = {"skipped": f"not available: {exc}"}
                continue
            started = time.perf_counter()
            try:
                results[name] = module.run()
            except Exception:  # a broken benchmark must not hide the others' figures
                failed += 1
                results[name] = {"error": traceback.format_exc(limit=5)}
            results[name]["wall_s"] = round(time.perf_counter() - started, 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, default=str))
    table = Table(
        title=f"pollwatch benchmark on {results['machine']['cores']} cores, {results['machine']['cpu']}"
    )
    for column in ("benchmark", "figure", "value"):
        table.add_column(column)
    for name, figures in results.items():
        if isinstance(figures, dict) and name.endswith("_bench"):
            for key, value in figures.items():
                shown = f"{value:,.3f}" if isinstance(value, float) else str(value)[:80]
                table.add_row(name.removesuffix("_bench"), key, shown)
    Console(width=140).print(table)
    print(f"written: {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
