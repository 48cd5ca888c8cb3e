"""Several ingest worker processes on one port, each with its own listening socket.

uvicorn's own `workers=N` binds one socket in the supervisor and every worker accepts from it:
the first worker to wake takes a whole burst of new connections, so a phone network's 200
connections (or a benchmark's) could all land on one worker while the other idled (seen 200/0 in
2 of 7 tries). Here each worker binds the port itself with SO_REUSEPORT and the kernel spreads
the connections over the sockets by their addresses.

The supervisor forwards SIGINT/SIGTERM to the workers (each drains its in-flight requests and
dedup acceptances, as a single process does) and restarts a worker that dies. A worker that dies
within `STARTUP_S` of starting (the port taken, bad settings) stops them all with exit code 1,
so that the failure reaches whoever started ingest instead of a restart loop.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

log = logging.getLogger(__name__)
RESTART_PAUSE_S = 1.0
STARTUP_S = 10.0


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other processes may bind too (SO_REUSEPORT)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def _serve(target: str, host: str, port: int, server: dict[str, Any]) -> None:  # pragma: no cover - a child
    sock = listening_socket(host, port)
    config = uvicorn.Config(target, factory=True, host=host, port=port, **server)
    uvicorn.Server(config).run(sockets=[sock])


def run(target: str, host: str, port: int, workers: int, server: dict[str, Any]) -> int:
    """Runs `workers` processes serving the app factory `target` until SIGINT/SIGTERM; returns
    the exit code."""
    context = multiprocessing.get_context("spawn")
    stopping = False
    started_at: dict[int, float] = {}

    def start() -> BaseProcess:
        process = context.Process(target=_serve, args=(target, host, port, server), daemon=False)
        process.start()
        started_at[id(process)] = time.monotonic()
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown

    processes = [start() for _ in range(workers)]
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            for i, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started_at[id(process)] < STARTUP_S:
                    log.error("ingest worker %s failed at startup (exit %s)", process.pid, process.exitcode)
                    stop(signal.SIGTERM, None)
                    for other in processes:
                        other.join()
                    return 1
                log.error("ingest worker %s exited with %s; restarting it", process.pid, process.exitcode)
                time.sleep(RESTART_PAUSE_S)
                processes[i] = start()
            time.sleep(0.2)
        for process in processes:
            process.join()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    # uvicorn re-raises the signal it stopped on once it has shut down gracefully.
    clean = {0, -signal.SIGTERM, -signal.SIGINT}
    return 0 if all(p.exitcode in clean for p in processes) else 1
