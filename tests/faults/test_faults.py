"""Faults under load, one after another on one running stack (services as processes with
production settings, the test Kafka and PostgreSQL): after each, every acknowledged report is in
the read model exactly once, station figures equal the reports, no alert transition is lost or
doubled, each /readyz said not ready while a dependency it needs was down and ready again soon
after, and no request got a 5xx other than 503 (tests/faults/fault_run.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.faults.fault_run import Fault, run_fault
from tests.faults.figures import COLLECTED, write
from tests.faults.harness import Harness
from tests.faults.stack import SERVICES, Outage, outage

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(600)]


async def _nothing(h: Harness) -> Outage:
    return Outage.instant()


def _kill(name: str) -> Callable[[Harness], Awaitable[Outage]]:
    async def inject(h: Harness) -> Outage:
        h.stack.kill(name)
        return Outage.instant()

    return inject


async def _kill_ingest_worker(h: Harness) -> Outage:
    workers = h.stack.ingest_workers()
    assert len(workers) == 2, f"ingest should run 2 workers, has {workers}"
    h.stack.kill_pid(workers[0])
    return Outage.instant()


def _stop(script: str, hold_s: float) -> Callable[[Harness], Awaitable[Outage]]:
    async def inject(h: Harness) -> Outage:
        return await outage(script, hold_s)

    return inject


# In this order on one stack: the process kills first, then the outages, the longest last.
FAULTS = [
    Fault("no fault", _nothing),
    Fault("aggregator SIGKILL", _kill("aggregator")),
    Fault("ingest worker SIGKILL", _kill_ingest_worker),
    Fault("API SIGKILL", _kill("api")),
    Fault("PostgreSQL restart", _stop("postgres.sh", 0)),
    Fault("PostgreSQL stopped 30 s", _stop("postgres.sh", 30), SERVICES, "PostgreSQL"),
    Fault("Kafka stopped 20 s", _stop("kafka.sh", 20), SERVICES, "Kafka"),
    Fault("Kafka stopped 90 s", _stop("kafka.sh", 90), SERVICES, "Kafka"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_fault_under_load_loses_and_doubles_nothing(harness: Harness, fault: Fault) -> None:
    figures = await run_fault(harness, fault)
    COLLECTED.append(figures)
    write()  # as it goes: a run stopped half-way still leaves its figures
    assert not figures.problems, f"{fault.name}: " + "; ".join(figures.problems)
