"""python -m services.api: settings, logging, app, run."""

import uvicorn

from services import patches
from services.api import metrics
from services.api.app import create_app
from services.api.settings import ApiSettings
from services.common.infra import log
from services.common.infra.gc_freeze import settle
from services.common.infra.settings import load
from services.patches.settings import PatchSettings


def main() -> None:
    settings = load(ApiSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    patches.configure(load(PatchSettings), ("uvicorn", "strawberry"))
    # Live fan-out allocates many short-lived objects per update: with the default thresholds
    # the collector ran every few hundred updates and walked the whole heap (modules, schema)
    # each full pass. Startup objects are frozen out of collection; young collections are rarer.
    settle(50_000, 20, 100)
    metrics.observe_gc_pauses()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        backlog=8192,  # thousands of dashboards reconnect at once after a restart
        # Without a bound uvicorn waits for every connection to close, forever for a client
        # that stopped reading its socket (tests/e2e/live/test_shutdown.py).
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


if __name__ == "__main__":
    main()
