"""POST /v1/reports: one report or a batch, JSON or protobuf, each answered on its own."""

from __future__ import annotations

import collections
from datetime import timedelta
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.contracts import events as ev
from services.ingest.auth import bearer_token
from services.ingest.context import Services
from services.ingest.errors import PayloadError, UnavailableError
from services.ingest.instrumentation import error, instrumented, read_body
from services.ingest.intake import Result
from services.ingest.metrics import IngestMetrics
from services.ingest.payload import parse_payload
from services.ingest.quick_validation import quick_turnout
from services.ingest.settings import IngestSettings
from services.ingest.validation import Context, Rejected, validate_report

UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="pollwatch"'}


def report_routes(settings: IngestSettings, metrics: IngestMetrics) -> list[Route]:
    retry = {"Retry-After": str(settings.retry_after_seconds)}
    tolerance = timedelta(seconds=settings.future_tolerance_seconds)
    window = settings.shared.reporting_window
    counter = metrics.reports

    async def post_reports(request: Request) -> Response:
        svc: Services = request.app.state.services
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            message = "send Authorization: Bearer <token>"
            return error(401, "unauthenticated", "authorization", message, UNAUTHORIZED)
        try:
            monitor = await svc.auth.by_token(token)
        except UnavailableError:
            return error(503, "unavailable", "authorization", "monitor store unreachable; retry", retry)
        if monitor is None:
            message = "the token is unknown or revoked"
            return error(401, "invalid_token", "authorization", message, UNAUTHORIZED)
        body = await read_body(request, settings.max_body_bytes)
        if body is None:
            counter.labels("rejected", "unknown", "http", "too_large").inc()
            return error(413, "too_large", "body", f"the body exceeds {settings.max_body_bytes} bytes")
        try:
            payload = parse_payload(body, request.headers.get("content-type", ""), settings.max_batch)
        except PayloadError as exc:
            counter.labels("rejected", "unknown", "http", "malformed").inc()
            return error(exc.status, exc.code, exc.field, str(exc))
        ctx = Context(
            monitor_id=monitor.id,
            monitor_stations=monitor.stations,
            registered=svc.stations.registered,
            now=svc.clock.now(),
            channel=ev.Channel.HTTP,
            future_tolerance=tolerance,
            window=window,
        )
        checked = [quick_turnout(raw, ctx) or validate_report(raw, ctx) for raw in payload.reports]
        valid = [r for r in checked if isinstance(r, ev.Report)]
        written = iter(await svc.intake.submit(valid))
        results: list[dict[str, Any]] = []
        counts = dict.fromkeys(("accepted", "duplicate", "rejected", "unavailable"), 0)
        tally: collections.Counter[tuple[str, str, str]] = collections.Counter()  # one inc per label set
        for i, item in enumerate(checked):
            if isinstance(item, ev.Report):
                result: Result = next(written)
                outcome = result.status.value
                entry: dict[str, Any] = {"index": i, "id": item.id, "status": outcome}
                if result.reason:
                    entry["reason"] = result.reason
                tally[outcome, item.kind.value, result.reason] += 1
            else:
                outcome = "rejected"
                prefix = f"reports[{i}]" if payload.batch else ""
                entry = {"index": i, "id": item.id, "status": outcome}
                entry["errors"] = [
                    {
                        "field": e.under(prefix).field if prefix else e.field or "report",
                        "code": e.code,
                        "message": e.message,
                    }
                    for e in item.errors
                ]
                tally[outcome, _kind(payload.reports[i]), item.errors[0].code] += 1
            counts[outcome] += 1
            results.append(entry)
        for (outcome, kind, reason), n in tally.items():
            counter.labels(outcome, kind, "http", reason).inc(n)
        status, headers = _status(checked, counts), None
        if status == 503:
            headers = retry
        body_out = {**counts, "results": results}
        return Response(orjson.dumps(body_out), status, headers, media_type="application/json")

    return [Route("/v1/reports", instrumented(metrics, "reports", post_reports), methods=["POST"])]


def _status(checked: list[ev.Report | Rejected], counts: dict[str, int]) -> int:
    if counts["unavailable"]:
        return 503
    if counts["accepted"] or counts["duplicate"]:
        return 202
    if all(isinstance(c, Rejected) and c.forbidden for c in checked):
        return 403
    return 422


def _kind(raw: object) -> str:
    if isinstance(raw, dict):
        for kind in ev.ReportKind:
            if raw.get(kind.value) is not None:
                return kind.value
    return "unknown"
