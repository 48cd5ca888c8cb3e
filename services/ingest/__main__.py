"""python -m services.ingest: settings, logging, app, run."""

import uvicorn

from services.common import log
from services.common.settings import load
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


def main() -> None:
    settings = load(IngestSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
