"""The one stack the fault suite and the fuzzing share (started once for the package, torn down
after its last test), and the figures printed at the end of the run and kept in artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest_asyncio
from _pytest.terminal import TerminalReporter

from tests.faults.figures import ARTIFACT, COLLECTED, FUZZED, LOG_DIR, fuzz_table, table, write
from tests.faults.harness import Harness, running_harness
from tests.support.infra import Infra


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def harness(infra: Infra) -> AsyncIterator[Harness]:
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    LOG_DIR.mkdir(parents=True)
    async with running_harness(infra, LOG_DIR) as running:
        yield running


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not COLLECTED and not FUZZED:
        return
    terminalreporter.section("faults under load and fuzzed input")
    for line in [*(table(COLLECTED) if COLLECTED else []), "", *(fuzz_table(FUZZED) if FUZZED else [])]:
        terminalreporter.write_line(line)
    write()
    terminalreporter.write_line(f"(also in {ARTIFACT}; the services' logs in {LOG_DIR})")
