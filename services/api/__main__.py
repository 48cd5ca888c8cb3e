"""python -m services.api: settings, logging, app, run."""

import uvicorn

from services.api.app import create_app
from services.api.settings import ApiSettings
from services.common import log
from services.common.settings import load


def main() -> None:
    settings = load(ApiSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
