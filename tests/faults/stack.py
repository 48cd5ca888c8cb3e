"""The three services as processes with production settings, restarted when they exit as
Kubernetes restarts a container; and the test Kafka and PostgreSQL stopped and always restarted."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.common.infra.settings import SharedSettings
from tests.support.infra import run_script
from tests.support.processes import Service, free_port, service_env

SERVICES = ("ingest", "aggregator", "api")
# kubelet restarts a crashed container at once the first time, then backs off from 10 s.
RESTART_DELAY_S = 1.0
# A service not stopped by SIGTERM within this time is killed (Kubernetes' grace period is 30 s).
STOP_WAIT_S = 20.0
# The election's reporting window, as production sets it: around the run (the phones' event
# time starts an hour back, the fuzzing aims up to 10 h back), no wider than the aggregator's
# dedup window (36 h), so that nothing ingest accepts is dropped as too late.
REPORTING_BEFORE = timedelta(hours=12)
REPORTING_AFTER = timedelta(hours=12)


@dataclass(frozen=True)
class Restart:
    service: str
    at: float  # time.monotonic()
    exit_code: int | None


def production_env(shared: SharedSettings, ports: dict[str, int], state_dir: Path) -> dict[str, str]:
    """deploy/k8s/base's settings, with two ingest workers per process and a reporting window."""
    now = datetime.now(UTC)
    return service_env(
        shared,
        POLLWATCH_ENVIRONMENT="production",
        POLLWATCH_REPORTING_OPENS_AT=(now - REPORTING_BEFORE).isoformat(),
        POLLWATCH_REPORTING_CLOSES_AT=(now + REPORTING_AFTER).isoformat(),
        POLLWATCH_LOG_JSON="true",
        POLLWATCH_DB_POOL_MIN="1",
        POLLWATCH_DB_POOL_MAX="10",
        INGEST_PORT=str(ports["ingest"]),
        INGEST_WORKERS="2",
        INGEST_SMS_WEBHOOK_SECRET=secrets.token_urlsafe(16),
        AGGREGATOR_PORT=str(ports["aggregator"]),
        AGGREGATOR_DATA_DIR=str(state_dir / "aggregator-state"),
        API_PORT=str(ports["api"]),
        API_GRAPHIQL="false",
        API_ALLOW_ANONYMOUS="false",
    )


class Stack:
    """Starts, kills and supervises the services; `supervise` restarts any that exits unasked."""

    def __init__(self, shared: SharedSettings, log_dir: Path) -> None:
        self.ports = {name: free_port() for name in SERVICES}
        self.env = production_env(shared, self.ports, log_dir)
        self.log_dir = log_dir
        self.services: dict[str, Service] = {}
        self.restarts: list[Restart] = []
        self._held: set[str] = set()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> Service:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:  # one log per service across restarts
            process = subprocess.Popen(
                [sys.executable, "-m", "services", name],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: see `_end`
            )
        self.services[name] = Service(name, self.ports[name], log, process)
        return self.services[name]

    async def supervise(self) -> None:
        while True:
            for name, service in list(self.services.items()):
                code = service.process.poll()
                if code is not None and name not in self._held:
                    self.restarts.append(Restart(name, time.monotonic(), code))
                    _end_group(service)
                    await asyncio.sleep(RESTART_DELAY_S)
                    if name not in self._held:
                        self.start(name)
            await asyncio.sleep(0.2)

    def kill(self, name: str) -> None:
        self.kill_pid(self.services[name].process.pid)

    def kill_pid(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def ingest_workers(self) -> list[int]:
        """The pids of ingest's worker processes (children of its supervisor)."""
        parent = self.services["ingest"].process.pid
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        return [
            int(pid)
            for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()  # not the resource tracker
        ]

    async def restart(self, name: str) -> None:
        """SIGTERM (ingest's supervisor passes it to its workers), then start again."""
        self._held.add(name)
        try:
            await asyncio.to_thread(_end, self.services[name])
            self.start(name)
        finally:
            self._held.discard(name)

    def stop_all(self) -> None:
        """At the end of a run: how they shut down is not what is tested here."""
        self._held.update(self.services)
        for service in self.services.values():
            _end(service, wait_s=5)


def _end(service: Service, wait_s: float = STOP_WAIT_S) -> None:
    """SIGTERM, then SIGKILL to the whole process group if it has not stopped in time."""
    if service.process.poll() is None:
        service.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=wait_s)
    _end_group(service)
    service.process.wait()


def _end_group(service: Service) -> None:
    """Ends what is left of the service's process group (ingest's workers outlive a killed
    supervisor and would keep serving its port)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Outage:
    """When a fault began, when its cause began to be undone, and when that was done
    (time.monotonic()); the three are the same for a SIGKILL, which the supervisor undoes."""

    down_at: float
    back_from: float
    restored_at: float

    @staticmethod
    def instant() -> Outage:
        now = time.monotonic()
        return Outage(now, now, now)


# How long each script's last start took in this run. Kafka's takes ~15-40 s here (a JVM), and
# the broker answers nothing meanwhile: an outage begins the start that much before its hold
# ends, so that the dependency is down for about the hold, not the hold and a start (the
# figures give how long it really was).
_STARTS: dict[str, float] = {}
_START_SHARE = 0.8  # of the last start: starts vary, and the outage must not be cut short


async def outage(script: str, hold_s: float) -> Outage:
    """Stops the test Kafka or PostgreSQL (`kafka.sh`, `postgres.sh`) for about `hold_s` seconds
    (at least, when no start of it has been timed yet) and always starts it again: the rest of
    the suite shares it."""
    try:
        await asyncio.to_thread(run_script, script, "stop")
        down_at = time.monotonic()
        await asyncio.sleep(max(0.0, hold_s - _START_SHARE * _STARTS.get(script, 0.0)))
    finally:
        back_from = time.monotonic()
        await asyncio.to_thread(run_script, script, "start")
    restored_at = time.monotonic()
    _STARTS[script] = restored_at - back_from
    return Outage(down_at, back_from, restored_at)
