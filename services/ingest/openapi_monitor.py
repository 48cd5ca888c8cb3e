"""The OpenAPI paths of the monitor app's routes (docs/monitor-app.md), merged into /openapi.json."""

from __future__ import annotations

from typing import Any

_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_JSON = {"application/json": {"schema": {"type": "object"}}}
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
_REFUSED = {
    "401": {"description": "No, unknown or revoked token.", "content": _ERR},
    "503": {"description": "PostgreSQL unreachable; retry after Retry-After.", "content": _ERR},
}


def _get(summary: str, ok: str, **more: Any) -> dict[str, Any]:
    responses = {"200": {"description": ok, "content": _JSON}, **_REFUSED, **more.pop("responses", {})}
    return {"get": {"summary": summary, "security": _BEARER, "responses": responses, **more}}


def monitor_paths() -> dict[str, Any]:
    station = {"name": "station_id", "in": "path", "required": True, "schema": {"type": "string"}}
    forbidden = {"403": {"description": "Not one of the monitor's stations.", "content": _ERR}}
    return {
        "/v1/me": _get(
            "The monitor: name, language (null when unknown) and stations, with the server's time",
            "{monitor: {id, name, language}, stations: [{id, name, district, region_id, region_name, "
            "registered_voters}], server_time}",
        ),
        "/v1/me/stations/{station_id}": _get(
            "One of the monitor's stations as the server sees it",
            "{station_id, figures (the aggregator's latest, or null), reports: the monitor's newest "
            "50 reports in the read model (id, kind, observed_at, received_at)}",
            parameters=[station],
            responses=forbidden,
        ),
        "/v1/me/messages": _get(
            "The coordinators' messages to the monitor (pollwatch messages send), newest first",
            "{messages: the newest 20 (id, sent_at, language, text: in the monitor's language when "
            "the message was translated into it, else as written)}",
        ),
        "/v1/forms": _get(
            "What the app's forms ask, in en/ru/kk (ETag; If-None-Match answers 304)",
            "{phases, checklist: [{id, phase, texts, critical}], violations: [{id, texts}], "
            "contestants: [{code, name}], protocol_checks: {name: texts}}",
            responses={"304": {"description": "Unchanged since the ETag sent."}},
        ),
        "/v1/evidence": {
            "post": {
                "summary": "An evidence photo (JPEG or PNG), stored once by its SHA-256",
                "security": _BEARER,
                "parameters": [
                    {"name": "station_id", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "content": {
                        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                    }
                },
                "responses": {
                    "201": {"description": "Stored: {id, media_type, size_bytes}; name it in evidence_ids."},
                    "200": {"description": "The same bytes were stored before: the same answer."},
                    "400": {"description": "Empty body or no station_id.", "content": _ERR},
                    "403": {"description": "Not one of the monitor's stations.", "content": _ERR},
                    "413": {"description": "Above INGEST_EVIDENCE_MAX_BYTES.", "content": _ERR},
                    "415": {"description": "Not a JPEG or PNG, or not the declared type.", "content": _ERR},
                    "422": {"description": "No such station.", "content": _ERR},
                    **_REFUSED,
                },
            }
        },
    }
