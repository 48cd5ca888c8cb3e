"""python -m services.simulator.gateway: the gateway simulator on GATEWAY_SIM_PORT."""

import uvicorn

from services.common.infra import log
from services.common.infra.settings import load
from services.simulator.gateway.app import create_app
from services.simulator.gateway.settings import GatewaySimSettings


def main() -> None:
    settings = load(GatewaySimSettings)
    log.configure("INFO")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False
    )


if __name__ == "__main__":
    main()
