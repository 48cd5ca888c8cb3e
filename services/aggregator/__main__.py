"""python -m services.aggregator: settings, logging, app, run."""

from services import patches
from services.aggregator.app import create_app
from services.aggregator.settings import AggregatorSettings
from services.aggregator.worker import Worker
from services.common.infra import log
from services.common.infra.gc_freeze import settle
from services.common.infra.settings import load
from services.patches.settings import PatchSettings


def main() -> None:
    settings = load(AggregatorSettings)
    log.configure(settings.shared.log_level, settings.shared.log_json)
    patches.configure(load(PatchSettings), ("faust", "aiokafka"))
    app = create_app(settings)
    # Start-up objects (modules, faust) out of the collector's walks; young passes less often.
    settle(50_000, 20, 100)
    worker = Worker(app, stop_timeout_s=settings.stop_timeout_s, loglevel=settings.shared.log_level)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
