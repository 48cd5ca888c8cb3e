"""The aggregator's worker process: faust's Worker, with a bounded stop.

Crash-only: whatever fails (an agent raising, a batch's writes failing, a record Kafka refuses)
crashes the app, and the process must exit so that it restarts from its committed offsets.
faust's stop after a crash can wait forever, though: the crash stops the consumer thread's
method queue, and the stop's last offset commit waits for that thread (the worker logged
"Crashed" and ran on, reading nothing, while `/healthz` answered). So once the worker starts
to stop, a timer ends the process after `stop_timeout_s` whatever it is waiting for (status
1); nothing is lost, the offsets of what was not handled are not committed.
"""

from __future__ import annotations

import logging
import os
import threading

import faust
from faust.worker import Worker as FaustWorker

log = logging.getLogger(__name__)
FORCED_EXIT = 1


class Worker(FaustWorker):
    """faust's Worker, whose stop is bounded by `stop_timeout_s`."""

    def __init__(self, app: faust.App, *, stop_timeout_s: float, loglevel: str) -> None:
        super().__init__(app, loglevel=loglevel, redirect_stdouts=False)
        self.stop_timeout_s = stop_timeout_s

    def on_worker_shutdown(self) -> None:
        super().on_worker_shutdown()
        # A thread: the event loop may be what is stuck.
        timer = threading.Timer(self.stop_timeout_s, self._exit_now)
        timer.daemon = True
        timer.start()

    def _exit_now(self) -> None:
        reason = f" after a crash ({self.crash_reason!r})" if self.crash_reason else ""
        log.critical("the worker did not stop within %.0f s%s: exiting", self.stop_timeout_s, reason)
        logging.shutdown()
        os._exit(FORCED_EXIT)
