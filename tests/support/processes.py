"""Running pollwatch services as real processes in tests, with their logs kept for failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.common.infra.settings import SharedSettings
from tests.support.waits import PIPELINE_S


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, timeout: float = PIPELINE_S) -> httpx.Response:
        """Polls /readyz until 200 or the timeout; returns the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=5)
                if response.status_code == 200 or time.monotonic() > deadline:
                    return response
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.3)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def service_env(shared: SharedSettings, **extra: str) -> dict[str, str]:
    return (
        dict(os.environ)
        | {
            "POLLWATCH_KAFKA_BOOTSTRAP": shared.kafka_bootstrap,
            "POLLWATCH_TOPIC_NAMESPACE": shared.topic_namespace,
            "POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value(),
        }
        | extra
    )


@contextmanager
def run_service(name: str, env: dict[str, str], port: int, log_dir: Path) -> Iterator[Service]:
    """Starts `pollwatch <name>` (env must set its port variable) and stops it on exit."""
    log = log_dir / f"{name}-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services", name], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        service = Service(name, port, log, process)
        try:
            yield service
        finally:
            service.stop()


@contextmanager
def run_all(shared: SharedSettings, log_dir: Path, **extra: str) -> Iterator[dict[str, Service]]:
    """The three services on free ports, pointed at `shared`'s Kafka namespace and database;
    `extra` adds environment variables (e.g. AGGREGATOR_RULES_PROFILE)."""
    ports = {"ingest": free_port(), "aggregator": free_port(), "api": free_port()}
    env = service_env(
        shared,
        **extra,
        INGEST_PORT=str(ports["ingest"]),
        AGGREGATOR_PORT=str(ports["aggregator"]),
        AGGREGATOR_DATA_DIR=str(log_dir / "aggregator-state"),
        API_PORT=str(ports["api"]),
    )
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(run_service(name, env, port, log_dir)) for name, port in ports.items()
        }
