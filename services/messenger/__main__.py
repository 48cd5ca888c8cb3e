"""python -m services.messenger: settings, logging, app, run."""

import uvicorn

from services.common.infra import log
from services.common.infra.settings import load
from services.messenger.app import create_app
from services.messenger.settings import MessengerSettings


def main() -> None:
    settings = load(MessengerSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
