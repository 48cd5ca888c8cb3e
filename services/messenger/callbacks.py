"""POST /v1/status/<gateway>: the gateway's delivery status callbacks.

Every readable, authentic callback is answered 200 once recorded (or when it names no delivery
of ours: the gateway must not retry it forever); a bad signature 403, an unreadable body 400,
and 503 while PostgreSQL is unavailable, for the gateway to retry.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.messenger import deliveries
from services.messenger.gateways import africastalking, generic, telerivet, twilio
from services.messenger.gateways.base import CallbackError, OutboundGateway
from services.messenger.housekeeping import STORE_DOWN
from services.messenger.metrics import MessengerMetrics

log = logging.getLogger(__name__)
PATHS = {
    "twilio": twilio.STATUS_PATH,
    "telerivet": telerivet.STATUS_PATH,
    "africastalking": africastalking.STATUS_PATH,
    "generic": generic.STATUS_PATH,
}
# A callback naming only the gateway's message id may overtake the sender's record of that id
# (Africa's Talking: the URL is the account's, not the message's): looked for again before
# it is answered as none of ours.
UNMATCHED_WAITS = (0.2, 0.5, 1.0)


def callback_routes(gateway: OutboundGateway, metrics: MessengerMetrics) -> list[Route]:
    async def status(request: Request) -> Response:
        try:
            report = await gateway.read_status(request)
        except CallbackError as exc:
            metrics.callbacks.labels("refused").inc()
            code = 403 if exc.forbidden else 400
            return JSONResponse({"error": {"code": "refused", "message": str(exc)}}, code)
        waits = iter(UNMATCHED_WAITS if report.send_id is None else ())
        try:
            while True:
                async with request.app.state.pool.acquire() as conn:
                    result = await deliveries.apply_status(conn, report)
                if result.matched or (wait := next(waits, None)) is None:
                    break
                await asyncio.sleep(wait)  # not holding a connection meanwhile
        except STORE_DOWN as exc:
            log.warning("status callback not recorded (%s): the gateway will retry", exc.__class__.__name__)
            return JSONResponse({"error": {"code": "unavailable", "message": "try again"}}, 503)
        outcome = "applied" if result.applied else "unchanged" if result.matched else "unmatched"
        metrics.callbacks.labels(outcome).inc()
        return JSONResponse({"result": outcome})

    path = PATHS.get(gateway.name)
    return [] if path is None else [Route(path, status, methods=["POST"])]
