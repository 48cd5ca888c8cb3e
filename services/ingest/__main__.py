"""python -m services.ingest: settings, logging, app, run."""

import uvicorn
from starlette.applications import Starlette

from services.common import log
from services.common.settings import load
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker process calls."""
    settings = load(IngestSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    return create_app(settings)


def main() -> None:
    settings = load(IngestSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    if settings.workers > 1:
        target = "services.ingest.__main__:app_from_env"
        uvicorn.run(
            target,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=None,
        )
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
