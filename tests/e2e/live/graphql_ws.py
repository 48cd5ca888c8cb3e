"""The graphql-ws reference client (npm `graphql-ws` on Node, subscribe.mjs) as a test helper.

What a partner's Node or browser client sees is what this records: each sink callback (`next`,
`error`, `complete`) and the socket's close, in order, as JSON lines read by a thread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

Event = dict[str, Any]


def ensure_installed() -> None:
    """`make live-client` (npm ci of tests/e2e/live) when its node_modules are missing."""
    if not (HERE / "node_modules" / "graphql-ws").exists():
        subprocess.run(["make", "-C", str(ROOT), "live-client"], check=True)


class GraphqlWsClient:
    """One subscription through graphql-ws, in its own Node process."""

    def __init__(self, ws_url: str, api_key: str, query: str) -> None:
        node = shutil.which("node")
        assert node, "node is needed for the graphql-ws client"
        ensure_installed()
        env = dict(os.environ) | {"PW_WS_URL": ws_url, "PW_API_KEY": api_key, "PW_QUERY": query}
        self._proc = subprocess.Popen(
            [node, str(HERE / "subscribe.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._lock:
                self._events.append(json.loads(line))

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def wait_for(self, done: Callable[[list[Event]], bool], within: float, what: str) -> list[Event]:
        """Polls the events until `done(events)`; fails naming `what` after `within` seconds."""
        deadline = time.monotonic() + within
        while not done(events := self.events):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                tail = events[-3:]
                raise AssertionError(f"graphql-ws client: no {what} after {within:.0f} s; last events {tail}")
            time.sleep(0.2)
        return events

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reader.join(timeout=5)
        assert self._proc.stdout is not None
        self._proc.stdout.close()


def ended(events: list[Event]) -> bool:
    """The subscription is over: an error or a completion reached the sink, or the socket closed."""
    return any(e["event"] in ("error", "complete", "closed") for e in events)
