"""python -m services.ingest: settings, logging, app, run."""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from services import patches
from services.common.infra import log
from services.common.infra.gc_freeze import settle
from services.common.infra.settings import load
from services.ingest import workers
from services.ingest.app import create_app
from services.ingest.metrics import MULTIPROC_ENV
from services.ingest.settings import IngestSettings
from services.patches.settings import PatchSettings

# Profiled under load, the cyclic collector cost ingest 10-20 % of its CPU, and a full pass over
# the ~70,000 objects the imports made took tens of milliseconds while requests waited.
YOUNG_THRESHOLD = 10_000
# uvloop and httptools (not the pure-Python fallbacks); no access log: a line per report at
# election-day rates costs more than the request, and pollwatch_ingest_request_duration_seconds counts them.
SERVER: dict[str, Any] = {"loop": "uvloop", "http": "httptools", "access_log": False, "log_config": None}


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker process calls."""
    settings = load(IngestSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    patches.configure(load(PatchSettings), ("aiokafka",))
    app = create_app(settings)
    settle(YOUNG_THRESHOLD)
    return app


def main() -> None:
    settings = load(IngestSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    patches.configure(load(PatchSettings), ("aiokafka",))
    if settings.workers > 1:
        # One metrics directory for the workers (fresh each start: old files would add up).
        shared_dir = Path(tempfile.mkdtemp(prefix="pollwatch-ingest-metrics-"))
        os.environ[MULTIPROC_ENV] = str(shared_dir)
        # Each worker with its own socket on the port (services/ingest/workers.py).
        target = "services.ingest.__main__:app_from_env"
        try:
            code = workers.run(target, settings.host, settings.port, settings.workers, SERVER)
        finally:
            shutil.rmtree(shared_dir, ignore_errors=True)
        sys.exit(code)
    else:
        app = create_app(settings)
        settle(YOUNG_THRESHOLD)
        uvicorn.run(app, host=settings.host, port=settings.port, **SERVER)


if __name__ == "__main__":
    main()
