"""Forensics benchmark: full analysis of Russia 2012 and the aggregator's per-protocol update.

``run()`` returns wall times beside baselines measured in the same run (a plain
numpy histogram2d of the same arrays; a plain dict increment) and their ratios.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from services.forensics.analysis import analyse
from services.forensics.datasets import load
from services.forensics.live import LiveForensics, StationProtocol
from services.forensics.protocols import Protocols
from services.forensics.region_screen import ScreenStatus

# ../shared/data beside the checkout: /work/main and /work/wt/<branch> alike.
DATA = (
    next(
        (p / "shared" / "data" for p in Path(__file__).resolve().parents if (p / "shared" / "data").is_dir()),
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
    / "russia_dkobak"
    / "2012.csv.zip"
)


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

    result = {
        "stations": float(protocols.size),
        "load_s": load_s,
        "full_analysis_s": analysis_s,
        "histogram2d_baseline_s": baseline_s,
        "analysis_over_histogram2d": analysis_s / baseline_s,
        "integer_excess": analysis.integer.either.excess,
    } | live_update(protocols)
    for key, value in result.items():
        print(f"{key:28s} {value:12.3f}")
    return result


def live_update(protocols: Protocols) -> dict[str, float]:
    """The aggregator's per-protocol path (decode the forwarded protocol, upsert) and the
    periodic evaluation, on every station of the election."""
    from services.aggregator.forensics_agent import decode_protocol, encode_protocol

    assert protocols.candidate_votes is not None
    names = protocols.candidate_names
    raws = [
        (
            sid.encode(),
            encode_protocol(
                StationProtocol(
                    protocols.region_names[int(protocols.region[i])],
                    int(protocols.registered[i]),
                    int(protocols.issued[i]),
                    int(protocols.valid[i]),
                    int(protocols.invalid[i]),
                    dict(zip(names, protocols.candidate_votes[i].tolist(), strict=True)),
                )
            ),
        )
        for i, sid in enumerate(protocols.station_ids)
    ]
    live = LiveForensics()
    started = time.perf_counter()
    for key, raw in raws:
        live.upsert(key.decode(), decode_protocol(raw))
    live_us = (time.perf_counter() - started) / len(raws) * 1e6
    counts: dict[bytes, int] = {}
    started = time.perf_counter()
    for key, _raw in raws:
        counts[key] = counts.get(key, 0) + 1
    dict_us = (time.perf_counter() - started) / len(raws) * 1e6
    started = time.perf_counter()
    for key, raw in raws:  # resends: compared and dropped
        live.upsert(key.decode(), decode_protocol(raw))
    resend_us = (time.perf_counter() - started) / len(raws) * 1e6
    started = time.perf_counter()
    first = live.evaluate(everything=True)
    first_s = time.perf_counter() - started
    step = max(1, len(raws) // 1000)
    changed = [(k.decode(), decode_protocol(r)) for k, r in raws[::step]]
    for sid, p in changed:  # 0.1 % of stations send a corrected protocol
        live.upsert(sid, StationProtocol(p.region, p.registered, p.issued - 1, p.valid, p.invalid, p.votes))
    started = time.perf_counter()
    later = live.evaluate()
    later_s = time.perf_counter() - started
    # The same rule as the alert and `pollwatch forensics` (region_screen.screen).
    statuses = [s.status() for s in first.scopes if s.region]
    flagged = statuses.count(ScreenStatus.FLAGGED)
    too_few = statuses.count(ScreenStatus.TOO_FEW_TESTED)
    return {
        "live_update_us": live_us,
        "live_dict_increment_us": dict_us,
        "live_update_over_dict": live_us / dict_us,
        "live_resend_us": resend_us,
        "live_first_evaluate_s": first_s,
        "live_evaluate_after_0.1pct_changed_s": later_s,
        "live_regions_evaluated": float(len(later.scopes) - 1),
        "live_regions_flagged": float(flagged),
        "live_regions_too_few_tested": float(too_few),
        "live_national_z": first.scopes[-1].either.z,
    }


if __name__ == "__main__":
    run()
