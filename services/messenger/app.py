"""The messenger's ASGI application: status callbacks, health and metrics; its lifespan owns the
pool, the gateway's HTTP client, the broadcasts consumer and the sender."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from services.common.infra.db import create_pool, database_reachable
from services.common.infra.health import health_routes
from services.messenger.callbacks import callback_routes
from services.messenger.gateways.africastalking import AfricasTalkingGateway
from services.messenger.gateways.base import OutboundGateway
from services.messenger.gateways.generic import GenericGateway
from services.messenger.gateways.rapidpro import RapidProGateway
from services.messenger.gateways.telerivet import TelerivetGateway
from services.messenger.gateways.twilio import TwilioGateway
from services.messenger.intake import BroadcastIntake
from services.messenger.metrics import MessengerMetrics
from services.messenger.notify.intake import AlertIntake
from services.messenger.notify.notifier import Notifier
from services.messenger.rate import TokenBucket
from services.messenger.sender import Sender
from services.messenger.settings import GatewayKind, MessengerSettings
from services.messenger.status_poll import StatusPoller

log = logging.getLogger(__name__)


def _secret(value: SecretStr | None) -> str:
    assert value is not None  # the settings check what each gateway needs
    return value.get_secret_value()


def build_gateway(settings: MessengerSettings, client: httpx.AsyncClient) -> OutboundGateway:
    public, url = str(settings.public_url), str(settings.gateway_url)
    match settings.gateway:
        case GatewayKind.TWILIO:
            return TwilioGateway(
                client,
                url,
                settings.twilio_account_sid,
                _secret(settings.twilio_auth_token),
                settings.twilio_sender,
                public,
            )
        case GatewayKind.TELERIVET:
            return TelerivetGateway(
                client,
                url,
                settings.telerivet_project_id,
                _secret(settings.telerivet_api_key),
                _secret(settings.callback_secret),
                public,
                settings.telerivet_route_id,
            )
        case GatewayKind.RAPIDPRO:
            return RapidProGateway(client, url, _secret(settings.rapidpro_token))
        case GatewayKind.AFRICASTALKING:
            return AfricasTalkingGateway(
                client,
                url,
                settings.africastalking_username,
                _secret(settings.africastalking_api_key),
                _secret(settings.callback_secret),
                settings.africastalking_sender,
            )
    token, secret = settings.gateway_token, settings.callback_secret
    return GenericGateway(
        client,
        url,
        token.get_secret_value() if token else None,
        secret.get_secret_value() if secret else None,
        public,
    )


def create_app(settings: MessengerSettings, metrics: MessengerMetrics | None = None) -> Starlette:
    metrics = metrics or MessengerMetrics()
    client = httpx.AsyncClient(timeout=settings.request_timeout_seconds)
    gateway = build_gateway(settings, client)
    running: dict[str, asyncio.Task[None]] = {}
    intakes: list[BroadcastIntake | AlertIntake] = []

    async def ready() -> dict[str, bool]:
        pool = getattr(app.state, "pool", None)
        checks = {
            "postgres": pool is not None and await database_reachable(pool),
            "kafka": bool(intakes) and all(intake.started for intake in intakes),
        }
        return checks | {name: not task.done() for name, task in running.items()}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await create_pool(settings.shared)
        app.state.pool = pool
        # Names this process's claims: a delivery it left `sending` is recognised as interrupted.
        owner = f"messenger-{uuid.uuid4().hex[:12]}"
        # One rate limit for the gateway, whoever texts: broadcasts and alerts alike.
        limiter = TokenBucket(settings.rate_per_second, settings.burst)
        sender = Sender(pool, gateway, settings, metrics, owner, limiter)
        intake = BroadcastIntake(
            settings.shared, settings.consumer_group, pool, metrics, sender.wake, settings.default_language
        )
        intakes.append(intake)
        running["sender"] = asyncio.create_task(sender.run())
        running["intake"] = asyncio.create_task(intake.run())
        if isinstance(gateway, RapidProGateway):
            poller = StatusPoller(pool, gateway, limiter, metrics, settings.status_poll_seconds)
            running["status_poll"] = asyncio.create_task(poller.run())
        if settings.notify_enabled:
            notifier = Notifier(pool, client, gateway, limiter, settings, metrics, owner)
            alerts = AlertIntake(settings, pool, metrics, notifier.wake)
            intakes.append(alerts)
            running["notifier"] = asyncio.create_task(notifier.run())
            running["alerts"] = asyncio.create_task(alerts.run())
        for name, task in running.items():
            task.add_done_callback(partial(_report_death, name))
        log.info("messenger: sending through %s as %s", gateway.name, owner)
        try:
            yield
        finally:
            for task in running.values():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for consumer in intakes:
                await consumer.stop()
            await client.aclose()
            await pool.close()

    app = Starlette(
        routes=[*callback_routes(gateway, metrics), *health_routes(ready, metrics.registry)],
        lifespan=lifespan,
    )
    return app


def _report_death(name: str, task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("messenger: the %s stopped", name, exc_info=task.exception())
