"""A throwaway Kafka of a test's own (never the shared test broker), to stop or freeze at will."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.infra import ROOT
from tests.support.processes import free_port


class OwnKafka:
    def __init__(self, state: Path) -> None:
        self.port = free_port()
        self.env = os.environ | {
            "PW_STATE_DIR": str(state),
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(free_port()),
            "KAFKA_HEAP": "256m",
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def run(self, action: str) -> None:
        subprocess.run(
            [str(ROOT / "infra" / "kafka.sh"), action], env=self.env, check=True, capture_output=True
        )

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """The broker stops answering (SIGSTOP; its connections stay open) until the block ends."""
        pid = int((Path(self.env["PW_STATE_DIR"]) / "kafka" / "kafka.pid").read_text())
        os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(pid, signal.SIGCONT)


def turnout(ballots: int) -> dict[str, Any]:
    """One turnout report for monitor A's station (conftest `seed`)."""
    return {
        "id": str(uuid.uuid4()),
        "station_id": "ALA-0123",
        "observed_at": datetime.now(UTC).isoformat(),
        "turnout": {"ballots_issued": ballots},
    }
