"""A faust app run by the aggregator's Worker (services/aggregator/worker.py) that crashes, and
whose stop then never ends, as faust's own did after some crashes. Run by test_worker_stop.py:
`python -m tests.integration.aggregator.stuck_worker BOOTSTRAP APP_ID DATADIR STOP_TIMEOUT_S`."""

from __future__ import annotations

import asyncio
import sys

import faust
from mode import Service

from services.aggregator.worker import Worker


class NeverStops(Service):
    async def on_stop(self) -> None:
        await asyncio.Event().wait()


def main() -> None:
    bootstrap, app_id, datadir, stop_timeout_s = sys.argv[1:5]
    app = faust.App(app_id, broker=f"kafka://{bootstrap}", datadir=datadir, web_enabled=False)
    app.service(NeverStops)

    async def crash() -> None:
        await app.crash(RuntimeError("an agent failed"))

    app.task(crash)
    Worker(app, stop_timeout_s=float(stop_timeout_s), loglevel="INFO").execute_from_commandline()


if __name__ == "__main__":
    main()
