"""A crashed worker exits, non-zero, however its stop goes (services/aggregator/worker.py): faust's
stop after a crash could wait forever, the process running on, reading nothing."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

from services.common.infra.settings import SharedSettings

STOP_TIMEOUT_S = 3.0


def test_a_crashed_worker_whose_stop_hangs_exits_with_status_1(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    args = [
        shared_settings.kafka_bootstrap,
        f"stuck-{uuid.uuid4().hex[:8]}",
        str(tmp_path),
        str(STOP_TIMEOUT_S),
    ]
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.aggregator.stuck_worker", *args], stdout=out, stderr=out
        )
        try:
            status = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = None
    text = log.read_text(errors="replace")
    assert status == 1, text[-3000:]
    assert "Crashed reason=RuntimeError('an agent failed')" in text
    assert f"the worker did not stop within {STOP_TIMEOUT_S:.0f} s after a crash" in text
    assert time.monotonic() - started < 60
