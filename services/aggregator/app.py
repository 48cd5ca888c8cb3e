"""The faust application: topics, health pages and agents."""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import generate_latest

from services.aggregator.settings import AggregatorSettings
from services.common import codec, topics
from services.common.errors import DecodeError
from services.common.kafka_admin import broker_reachable

log = logging.getLogger(__name__)


def create_app(settings: AggregatorSettings) -> faust.App:
    shared = settings.shared
    app = faust.App(
        shared.topic(settings.app_id),
        broker=f"kafka://{shared.kafka_bootstrap}",
        store="rocksdb://",
        datadir=str(settings.data_dir),
        web_host=settings.host,
        web_port=settings.port,
        topic_replication_factor=1,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
    )
    reports = app.topic(
        shared.topic(topics.REPORTS.name),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        # The registry creates this topic; faust must not try to declare it differently.
        internal=False,
    )

    @app.page("/healthz")
    async def healthz(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(self: View, request: Request) -> Response:
        ok = await broker_reachable(shared.kafka_bootstrap)
        return self.json(
            {"status": "ready" if ok else "not ready", "checks": {"kafka": ok}}, status=200 if ok else 503
        )

    @app.page("/metrics")
    async def metrics(self: View, request: Request) -> Response:
        # aiohttp wants the charset apart from the content type.
        return self.bytes(generate_latest(), content_type="text/plain; version=0.0.4")

    @app.agent(reports)
    async def process_reports(stream: Any) -> None:
        async for value in stream:
            try:
                report = codec.decode_report(value)
            except DecodeError as exc:
                log.warning("undecodable report: %s", exc)
                continue
            log.debug("report %s for %s", report.id, report.station_id)

    return app
