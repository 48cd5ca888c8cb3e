"""One fault under load, start to finish: the fault, ingest acknowledging again, the phones
drained, readiness, the read model settled and compared; the figures and every problem found.
A service that does not recover is restarted once its problem is noted, so that the next fault
starts from a working stack."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from tests.faults.figures import FaultFigures
from tests.faults.harness import Harness
from tests.faults.read_model import Findings
from tests.faults.stack import SERVICES, Outage

LEAD_S = 2.0  # load before the fault
TAIL_S = 2.0  # load after ingest acknowledges again
INGEST_BOUND_S = 30.0  # ingest acknowledges again this soon after the fault ends
READY_BOUND_S = 60.0  # every /readyz says ready again this soon after the fault ends
# Phones drain their batches this soon after ingest acknowledges again (a few resends, 5 s
# apart). A killed ingest worker's claims are taken over at once: were they held for the claim
# TTL (30 s), resends answered `in_progress` would keep the phones waiting past this.
PAUSE_BOUND_S = 20.0
# The read model holds every acknowledged report this soon after the phones paused; covers the
# aggregator group's session timeout (30 s) after a SIGKILL, then its catch-up.
STORED_BOUND_S = 90.0
# Figures and alerts follow their reports this soon.
SETTLE_BOUND_S = 30.0
# /readyz may still say ready this long after a dependency went down (its checks time out in 3 s).
NOTICE_S = 5.0


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[Harness], Awaitable[Outage]]
    unready: tuple[str, ...] = ()  # services whose /readyz must say not ready while it lasts
    down: str = ""  # what is down, for messages


class _Phases:
    """Seconds spent in each step of a fault's run, for the figures."""

    def __init__(self, into: dict[str, float]) -> None:
        self._into, self._since = into, time.monotonic()

    def end(self, name: str) -> None:
        now = time.monotonic()
        self._into[name] = round(now - self._since, 1)
        self._since = now


async def _wait_for(probe: Callable[[], float | None], within_s: float) -> float | None:
    deadline = time.monotonic() + within_s
    while True:
        found = probe()
        if found is not None or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


def _since(at: float | None, start: float) -> float | None:
    return None if at is None else round(max(0.0, at - start), 1)


async def run_fault(h: Harness, fault: Fault) -> FaultFigures:
    figures, problems = FaultFigures(fault.name), []
    h.load.resume()
    await asyncio.sleep(LEAD_S)
    started, acked_before, restarts_before = time.monotonic(), len(h.load.acknowledged), len(h.stack.restarts)
    reasons_before = h.load.reasons.copy()
    cut = await fault.inject(h)
    figures.down_s = round(cut.restored_at - cut.down_at, 1)
    phases = _Phases(figures.phases_s)

    back = await _wait_for(partial(h.load.first_ack_after, cut.restored_at), INGEST_BOUND_S)
    if back is None:
        problems.append(f"ingest acknowledged nothing within {INGEST_BOUND_S:.0f} s after the fault ended")
        await h.stack.restart("ingest")
    await asyncio.sleep(TAIL_S)
    if not await h.load.pause(PAUSE_BOUND_S):
        problems.append(f"phones still waiting for acknowledgements {PAUSE_BOUND_S:.0f} s after the fault")
        await h.stack.restart("ingest")
        assert await h.load.pause(PAUSE_BOUND_S), "ingest acknowledges nothing even after a restart"
    ended = time.monotonic()
    phases.end("fault, ingest back, phones paused")
    acknowledged = list(h.load.acknowledged)
    stored_at = await h.stored_by(acknowledged, STORED_BOUND_S)
    phases.end("stored")
    await _readiness(h, fault, cut, figures, problems)
    phases.end("ready")
    if stored_at is None:
        problems.append(
            f"the read model lacked acknowledged reports {STORED_BOUND_S:.0f} s after the phones paused"
        )
        await h.stack.restart("aggregator")  # so that the next fault starts from a working stack
        await h.stored_by(acknowledged, STORED_BOUND_S)
    findings = await h.settle(SETTLE_BOUND_S)
    phases.end("settled")
    assert findings is not None, "the read model could not be read at all"
    problems += findings.problems()
    if h.load.rejected:
        problems.append(f"{len(h.load.rejected)} valid reports rejected: {h.load.rejected[:3]}")

    _tally(h, figures, findings, started, ended)
    figures.acknowledged = len(h.load.acknowledged) - acked_before
    figures.ingest_s = _since(back, cut.restored_at)
    figures.read_model_s = _since(stored_at, cut.restored_at)
    figures.restarts = [f"{r.service} (exit {r.exit_code})" for r in h.stack.restarts[restarts_before:]]
    figures.unavailable_reasons = dict(h.load.reasons - reasons_before)
    if figures.server_errors:
        problems.append(f"ingest answered {figures.server_errors} requests with a 5xx other than 503")
    if figures.graphql_errors:
        statuses = sorted({p.status for p in h.watch.graphql_errors(started, ended)})
        problems.append(f"the API answered {figures.graphql_errors} dashboard queries with {statuses}")
    figures.problems = problems
    return figures


async def _readiness(
    h: Harness, fault: Fault, cut: Outage, figures: FaultFigures, problems: list[str]
) -> None:
    """/readyz not ready while a dependency was down (past the first seconds), ready again after."""
    for name in SERVICES:
        ready = await _wait_for(partial(h.watch.ready_again, name, cut.restored_at), READY_BOUND_S)
        figures.ready_s[name] = _since(ready, cut.restored_at)
        if ready is None:
            problems.append(f"{name} /readyz not ready within {READY_BOUND_S:.0f} s after the fault ended")
            await h.stack.restart(name)
    for name in fault.unready:
        lied = h.watch.ready_during(name, cut.down_at + NOTICE_S, cut.back_from)
        probed = h.watch.probes_during(name, cut.down_at + NOTICE_S, cut.back_from)
        if lied or not probed:
            problems.append(
                f"{name} /readyz said ready to {len(lied)} of {probed} probes while {fault.down} was down"
            )


def _tally(h: Harness, figures: FaultFigures, findings: Findings, started: float, ended: float) -> None:
    answers = [a for a in h.load.answers if started <= a.at <= ended]
    figures.requests = len(answers)
    figures.unavailable = sum(a.status == "503" for a in answers)
    figures.server_errors = sum(a.status.startswith("5") and a.status != "503" for a in answers)
    figures.no_answer = sum(a.status == "transport" for a in answers)
    figures.lost, figures.duplicated = len(findings.lost), findings.duplicated
    figures.transitions = findings.transitions
    figures.alerts_lost, figures.alerts_doubled = len(findings.alerts_lost), len(findings.alerts_doubled)
    figures.graphql_errors = len(h.watch.graphql_errors(started, ended))
    waits = [b.acknowledged - b.started for b in h.load.batches if b.acknowledged >= started]
    figures.median_wait_s = round(statistics.median(waits), 3) if waits else 0.0
    figures.longest_wait_s = round(max(waits, default=0.0), 1)
    figures.reports_per_s = round(
        sum(1 for t in h.load.ack_times if started <= t <= ended) / max(ended - started, 1e-9)
    )
