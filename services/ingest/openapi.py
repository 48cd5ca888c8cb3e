"""The OpenAPI 3.1 description of ingest's HTTP API, served at /openapi.json."""

from __future__ import annotations

from typing import Any

from services.common.contracts import events as ev
from services.ingest.fields import MAX_COUNT
from services.ingest.openapi_monitor import monitor_paths
from services.ingest.sms_gateways import SENDER_FIELDS, TEXT_FIELDS
from services.ingest.validation import (
    MAX_ANSWERS,
    MAX_DESCRIPTION,
    MAX_EVIDENCE,
    MAX_NOTE,
    MAX_PARTIES,
    MAX_URL,
)

_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
_PHOTOS = {
    "type": "array",
    "maxItems": MAX_EVIDENCE,
    "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "description": "Photos uploaded to POST /v1/evidence, by the id (SHA-256) it answered.",
}
_ERR = {"$ref": "#/components/schemas/Error"}


def _obj(props: dict[str, Any], required: list[str], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


def _schemas() -> dict[str, Any]:
    body_names = ("checklist", "turnout", "incident", "protocol")
    return {
        "Report": {
            **_obj(
                {
                    "id": {
                        "type": "string",
                        "pattern": "^[A-Za-z0-9._:-]{1,128}$",
                        "description": "Idempotency key (a UUID).",
                    },
                    "station_id": {"type": "string", "example": "ALA-0123"},
                    "observed_at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "With a timezone offset.",
                    },
                    "checklist": {"$ref": "#/components/schemas/Checklist"},
                    "turnout": {"$ref": "#/components/schemas/TurnoutUpdate"},
                    "incident": {"$ref": "#/components/schemas/Incident"},
                    "protocol": {"$ref": "#/components/schemas/FinalProtocol"},
                },
                ["id", "station_id", "observed_at"],
                "Exactly one of checklist, turnout, incident, protocol. The monitor comes from the token.",
            ),
            "oneOf": [{"required": [name]} for name in body_names],
        },
        "Batch": _obj(
            {
                "reports": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {"$ref": "#/components/schemas/Report"},
                }
            },
            ["reports"],
        ),
        "Checklist": _obj(
            {
                "phase": {"enum": [p.value for p in ev.ChecklistPhase]},
                "answers": {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": MAX_ANSWERS,
                    "additionalProperties": {"type": "boolean"},
                    "description": "Well-known items: " + ", ".join(ev.CHECKLIST_ITEMS),
                },
                "note": {
                    "type": "string",
                    "maxLength": MAX_NOTE,
                    "description": "Control characters but tab and new lines are removed.",
                },
            },
            ["phase", "answers"],
        ),
        "TurnoutUpdate": _obj(
            {"ballots_issued": _COUNT, "home_voting_applications": _COUNT},
            ["ballots_issued"],
            "Cumulative since opening. Above the registered voters is accepted and flagged.",
        ),
        "Incident": _obj(
            {
                "violation": {"enum": [v.value for v in ev.ViolationType]},
                "description": {
                    "type": "string",
                    "maxLength": MAX_DESCRIPTION,
                    "description": "Control characters but tab and new lines are removed.",
                },
                "evidence_urls": {
                    "type": "array",
                    "maxItems": MAX_EVIDENCE,
                    "items": {"type": "string", "format": "uri", "maxLength": MAX_URL},
                },
                "evidence_ids": _PHOTOS,
            },
            ["violation"],
        ),
        "FinalProtocol": _obj(
            {
                **{
                    name: _COUNT
                    for name in (
                        "registered_voters",
                        "ballots_received",
                        "ballots_issued",
                        "ballots_cast",
                        "valid_ballots",
                        "invalid_ballots",
                        "home_ballots_issued",
                    )
                },
                "votes": {
                    "type": "object",
                    "maxProperties": MAX_PARTIES,
                    "additionalProperties": _COUNT,
                    "example": {"P01": 400},
                },
                "copy_received": {
                    "type": "boolean",
                    "description": "False when the commission refused a copy.",
                },
                "evidence_ids": _PHOTOS,
            },
            [
                "registered_voters",
                "ballots_received",
                "ballots_issued",
                "ballots_cast",
                "valid_ballots",
                "invalid_ballots",
                "votes",
                "copy_received",
            ],
        ),
        "FieldError": _obj(
            {
                "field": {"type": "string", "example": "reports[3].turnout.ballots_issued"},
                "code": {"type": "string", "example": "negative"},
                "message": {"type": "string"},
            },
            ["field", "code", "message"],
        ),
        "Result": _obj(
            {
                "index": {"type": "integer"},
                "id": {"type": ["string", "null"]},
                "status": {"enum": ["accepted", "duplicate", "rejected", "unavailable"]},
                "reason": {
                    "type": "string",
                    "description": "Why unavailable: kafka_unavailable, kafka_timeout, ...",
                },
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            },
            ["index", "id", "status"],
        ),
        "Results": _obj(
            {
                "accepted": {"type": "integer"},
                "duplicate": {"type": "integer"},
                "rejected": {"type": "integer"},
                "unavailable": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
            },
            ["accepted", "duplicate", "rejected", "unavailable", "results"],
        ),
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": {"type": "string", "example": "too_large"},
                        "field": {
                            "type": "string",
                            "description": "The part at fault: body, reports, content-type, "
                            "authorization (a webhook: key, from, text).",
                        },
                        "message": {"type": "string"},
                    },
                    ["code", "field", "message"],
                )
            },
            ["error"],
        ),
    }


def _reports_path() -> dict[str, Any]:
    results = {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}}
    return {
        "post": {
            "summary": "Submit one report or a batch of up to 1,000",
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Report"},
                                {"$ref": "#/components/schemas/Batch"},
                            ]
                        },
                        "example": {
                            "id": "0b8e6c1e-7f0e-4c36-9d3c-2f1f3f9a6b10",
                            "station_id": "ALA-0123",
                            "observed_at": "2026-03-01T10:00:00+06:00",
                            "turnout": {"ballots_issued": 450, "home_voting_applications": 12},
                        },
                    },
                    "application/x-protobuf": {
                        "schema": {"type": "string", "format": "binary"},
                        "description": "pollwatch.v1.ReportBatch; one pollwatch.v1.Report with "
                        "`; messageType=pollwatch.v1.Report`.",
                    },
                },
            },
            "responses": {
                "202": {
                    "description": "Every report accepted, duplicate or rejected; some written.",
                    "content": results,
                },
                "400": {
                    "description": "Malformed JSON or protobuf.",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "401": {
                    "description": "Missing, unknown or revoked token.",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "403": {
                    "description": "Every report is for a station the monitor is not assigned to.",
                    "content": results,
                },
                "413": {
                    "description": "Body or batch too large.",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "415": {
                    "description": "Neither JSON nor protobuf.",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "422": {"description": "Every report rejected; see results[].errors.", "content": results},
                "503": {
                    "description": "Kafka or the store unavailable: what is not `accepted` was not written. "
                    "Resend after Retry-After; already accepted ones come back as `duplicate`.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": results,
                },
            },
        }
    }


def _sms_path() -> dict[str, Any]:
    return {
        "post": {
            "summary": "SMS gateway webhook (Twilio, Telerivet, RapidPro, ...); grammar in docs/sms.md",
            "parameters": [
                {"name": "key", "in": "query", "schema": {"type": "string"}, "description": "Webhook secret."}
            ],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "description": f"Sender in one of {', '.join(SENDER_FIELDS)}; text in one of "
                            f"{', '.join(TEXT_FIELDS)}.",
                        }
                    },
                    "application/json": {"schema": {"type": "object"}},
                }
            },
            "responses": {
                "200": {
                    "description": "The reply to send to the monitor (TwiML for Twilio, JSON otherwise)."
                },
                "401": {"description": "Webhook secret missing or wrong."},
                "503": {"description": "Not saved; the gateway should retry (Retry-After)."},
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    plain = {"200": {"description": "OK"}, "503": {"description": "Not ready"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pollwatch ingest",
            "version": "1",
            "description": "Monitors' reports in; see docs/ingest.md.",
        },
        "paths": {
            "/v1/reports": _reports_path(),
            "/v1/sms": _sms_path(),
            "/healthz": {"get": {"summary": "The process is up", "responses": plain}},
            "/readyz": {
                "get": {"summary": "Kafka and PostgreSQL reachable, writes taken", "responses": plain}
            },
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": plain}},
            **monitor_paths(),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "From `pollwatch monitors add`.",
                }
            },
        },
    }
