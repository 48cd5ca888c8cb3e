"""POST /v1/sms: an SMS gateway's webhook; the phone identifies the monitor, the reply says
what was understood. Every text that is not saved as a report (other than HELP) is kept on
the dead-letter topic, with the monitor id but never the phone number."""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.catalog import Lang
from services.common.contracts import events as ev
from services.ingest import checkin, sms_replies
from services.ingest.checkin import is_checkin
from services.ingest.context import Services
from services.ingest.errors import UnavailableError
from services.ingest.instrumentation import error, instrumented, read_body
from services.ingest.intake import Status
from services.ingest.metrics import IngestMetrics
from services.ingest.monitors import normalize_phone
from services.ingest.settings import IngestSettings
from services.ingest.sms_commands import SmsError, SmsHelp
from services.ingest.sms_gateways import Inbound, InboundError, read_inbound, reply_body
from services.ingest.sms_grammar import read_sms
from services.ingest.sms_language import reply_language
from services.ingest.sms_reports import sms_report
from services.ingest.validation import Context

log = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 64 * 1024


def sms_routes(settings: IngestSettings, metrics: IngestMetrics) -> list[Route]:
    retry = {"Retry-After": str(settings.retry_after_seconds)}
    tolerance = timedelta(seconds=settings.future_tolerance_seconds)
    window = settings.shared.reporting_window

    def answer(
        inbound: Inbound, reply: str, status: str, report_id: str | None = None, code: int = 200
    ) -> Response:
        body, media = reply_body(inbound.gateway, reply, status, report_id)
        return Response(body, code, retry if code == 503 else None, media_type=media)

    def authorised(request: Request, inbound_secret: str) -> bool:
        expected = settings.sms_webhook_secret
        if expected is None:
            return True
        given = request.query_params.get("key") or request.headers.get("x-pollwatch-key") or inbound_secret
        return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())

    async def keep(svc: Services, inbound: Inbound, monitor_id: str, err: SmsError, lang: Lang) -> Response:
        """Dead-letters the text, then tells the monitor what is wrong (in their language;
        the dead letter's error in English, for whoever reads the topic)."""
        letter = ev.DeadLetter(
            source="sms",
            partition=-1,
            offset=-1,
            payload=inbound.text.encode(),
            error=f"{err.code}: {sms_replies.reason(err, Lang.EN)}",
            failed_at=svc.clock.now(),
            sender=monitor_id,
        )
        if not await svc.intake.dead_letter(letter):
            return answer(inbound, sms_replies.unavailable(lang), "unavailable", code=503)
        metrics.dead_letters.labels(err.code).inc()
        metrics.reports.labels("rejected", "unknown", "sms", err.code).inc()
        return answer(inbound, sms_replies.rejected(err, lang), "rejected")

    async def post_sms(request: Request) -> Response:
        svc: Services = request.app.state.services
        body = await read_body(request, MAX_WEBHOOK_BYTES)
        if body is None:
            return error(413, "too_large", "body", f"a webhook body is at most {MAX_WEBHOOK_BYTES} bytes")
        try:
            inbound = read_inbound(body, request.headers.get("content-type", ""))
        except InboundError as exc:
            return error(400, "malformed", exc.field, str(exc))
        if not authorised(request, inbound.secret):
            return error(401, "unauthenticated", "key", "the webhook key is missing or wrong")
        reading = read_sms(inbound.text)
        lang = reply_language(None, inbound.text, reading.kazakh)
        phone = normalize_phone(inbound.sender)
        try:
            monitor = await svc.auth.by_phone(phone) if phone else None
        except UnavailableError:
            return answer(inbound, sms_replies.unavailable(lang), "unavailable", code=503)
        if monitor is None:
            return await keep(svc, inbound, "", SmsError("unknown_sender"), lang)
        if is_checkin(inbound.text):
            try:
                await svc.checkins.record(monitor.id, svc.clock.now())
            except UnavailableError:
                return answer(inbound, sms_replies.unavailable(lang), "unavailable", code=503)
            metrics.checkins.inc()
            return answer(inbound, checkin.reply(monitor.lang, inbound.text), "checked_in")
        lang = reply_language(monitor.lang, inbound.text, reading.kazakh)
        command = reading.command
        if isinstance(command, SmsHelp):
            return answer(inbound, sms_replies.help_text(command.topic, lang), "help")
        if isinstance(command, SmsError):
            return await keep(svc, inbound, monitor.id, command, lang)
        ctx = Context(
            monitor_id=monitor.id,
            monitor_stations=monitor.stations,
            registered=svc.stations.registered,
            now=svc.clock.now(),
            channel=ev.Channel.SMS,
            future_tolerance=tolerance,
            window=window,
        )
        report = sms_report(command, ctx, inbound.sent_at)
        if isinstance(report, SmsError):
            return await keep(svc, inbound, monitor.id, report, lang)
        (result,) = await svc.intake.submit([report])
        metrics.reports.labels(result.status.value, report.kind.value, "sms", result.reason).inc()
        if result.status is Status.ACCEPTED:
            return answer(inbound, sms_replies.accepted(report, lang), "accepted", report.id)
        if result.status is Status.DUPLICATE:
            return answer(inbound, sms_replies.duplicate(report, lang), "duplicate", report.id)
        return answer(inbound, sms_replies.unavailable(lang), "unavailable", report.id, code=503)

    return [Route("/v1/sms", instrumented(metrics, "sms", post_sms), methods=["POST"])]
