"""INGEST_WORKERS=2: each worker listens on its own socket, so a burst of connections is spread
over both (with one shared socket, one worker could take them all); SIGTERM stops them cleanly."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from services.common.infra.settings import SharedSettings
from tests.support.processes import free_port, run_service, service_env

CONNECTIONS = 40
LISTEN, ESTABLISHED = "0A", "01"  # socket states in /proc/net/tcp


def _workers(pid: int) -> list[int]:
    """The supervisor's worker processes (multiprocessing also starts a resource tracker)."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _inodes(port: int, state: str) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(target[len("socket:[") : -1])
    return held


def _per_worker(workers: list[int], port: int, state: str) -> list[int]:
    inodes = _inodes(port, state)
    return [len(_sockets_of(w) & inodes) for w in workers]


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_burst_of_connections_is_spread_over_the_workers(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    port = free_port()
    env = service_env(shared_settings, INGEST_PORT=str(port), INGEST_WORKERS="2")
    with run_service("ingest", env, port, tmp_path) as ingest:
        assert ingest.wait_ready().status_code == 200, ingest.log_tail()
        workers = _workers(ingest.process.pid)
        assert len(workers) == 2, workers
        # Each worker listens on a socket of its own (the service is ready once one of them is).
        _wait_for(lambda: _per_worker(workers, port, LISTEN) == [1, 1])
        assert _per_worker(workers, port, LISTEN) == [1, 1]
        listening = _inodes(port, LISTEN)
        first, second = (_sockets_of(w) & listening for w in workers)
        assert first != second  # not one socket shared by both
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
        try:
            _wait_for(lambda: sum(_per_worker(workers, port, ESTABLISHED)) == CONNECTIONS)
            counts = _per_worker(workers, port, ESTABLISHED)
            assert sum(counts) == CONNECTIONS, counts
            # Spread by the kernel's hash of the addresses: fewer than 5 of 40 on one side has a
            # probability of about 1e-7.
            assert min(counts) >= 5, counts
        finally:
            for client in clients:
                client.close()
        with httpx.Client() as http:  # still serving after the burst
            assert http.get(f"{ingest.url}/healthz").status_code == 200
        ingest.stop()
        assert ingest.process.returncode == 0, ingest.log_tail()
        assert all(not Path(f"/proc/{w}").exists() for w in workers)


def test_workers_that_cannot_start_stop_the_service_instead_of_looping(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    taken = socket.socket()  # bound without SO_REUSEPORT: no worker can bind the port
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        env = service_env(shared_settings, INGEST_PORT=str(port), INGEST_WORKERS="2")
        with run_service("ingest", env, port, tmp_path) as ingest:
            assert ingest.process.wait(timeout=60) == 1, ingest.log_tail()
            assert "failed at startup" in ingest.log_tail()
    finally:
        taken.close()
