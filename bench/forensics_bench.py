"""Forensics benchmark: full analysis of Russia 2012 and the per-protocol update.

``run()`` returns wall times beside baselines measured in the same run (a plain
numpy histogram2d of the same arrays; a plain dict increment) and their ratios.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from services.common.forensics.analysis import analyse
from services.common.forensics.datasets import load
from services.common.forensics.incremental import ForensicsAccumulator

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "russia_dkobak" / "2012.csv.zip"


def run() -> dict[str, float]:
    """Measure and print; returns seconds / microseconds and ratios."""
    started = time.perf_counter()
    protocols = load(DATA).protocols
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyse(protocols, seed=0, simulations=1000, region_screen=True)
    analysis_s = time.perf_counter() - started
    assert protocols.leader is not None
    turnout = protocols.issued / np.maximum(protocols.registered, 1)
    share = protocols.leader / np.maximum(protocols.ballots, 1)
    started = time.perf_counter()
    np.histogram2d(turnout, share, bins=100, range=((0, 1), (0, 1)))
    baseline_s = time.perf_counter() - started

    rows = list(
        zip(
            protocols.registered.tolist(),
            protocols.issued.tolist(),
            protocols.valid.tolist(),
            protocols.invalid.tolist(),
            protocols.leader.tolist(),
            protocols.region.tolist(),
            strict=True,
        )
    )
    accumulator = ForensicsAccumulator(protocols.region_names)
    started = time.perf_counter()
    for row in rows:
        accumulator.add(*row)
    update_us = (time.perf_counter() - started) / len(rows) * 1e6
    counts: dict[int, int] = {}
    started = time.perf_counter()
    for row in rows:
        counts[row[5]] = counts.get(row[5], 0) + 1
    dict_us = (time.perf_counter() - started) / len(rows) * 1e6
    started = time.perf_counter()
    accumulator.snapshot()
    snapshot_us = (time.perf_counter() - started) * 1e6

    result = {
        "stations": float(protocols.size),
        "load_s": load_s,
        "full_analysis_s": analysis_s,
        "histogram2d_baseline_s": baseline_s,
        "analysis_over_histogram2d": analysis_s / baseline_s,
        "update_us": update_us,
        "dict_increment_us": dict_us,
        "update_over_dict": update_us / dict_us,
        "snapshot_us": snapshot_us,
        "integer_excess": analysis.integer.either.excess,
    }
    for key, value in result.items():
        print(f"{key:28s} {value:12.3f}")
    return result


if __name__ == "__main__":
    run()
