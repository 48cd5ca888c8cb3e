"""Request bodies to a list of untrusted report payloads: JSON or protobuf, one report or a batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from services.common.contracts import codec
from services.common.infra.errors import DecodeError
from services.ingest.errors import PayloadError

JSON_TYPES = ("application/json",)
PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf")
SINGLE_MESSAGE = "pollwatch.v1.Report"


@dataclass(frozen=True, slots=True)
class Payload:
    reports: list[Any]
    batch: bool


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """`application/x-protobuf; messageType=pollwatch.v1.Report` -> (type, {param: value})."""
    head, *params = content_type.split(";")
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"')
    return head.strip().lower(), parsed


def parse_payload(body: bytes, content_type: str, max_batch: int) -> Payload:
    """Raises PayloadError (400, 413 or 415) when the body as a whole is unusable."""
    kind, params = media_type(content_type)
    if kind in JSON_TYPES:
        payload = _json(body)
    elif kind in PROTOBUF_TYPES:
        single = (params.get("messagetype") or params.get("proto")) == SINGLE_MESSAGE
        try:
            payload = Payload(codec.report_submissions_from_proto(body, single=single), batch=not single)
        except DecodeError as exc:
            raise PayloadError(f"malformed protobuf: {exc}") from None
    else:
        accepted = ", ".join((*JSON_TYPES, PROTOBUF_TYPES[0]))
        message = f"content type {kind or '(none)'!r} is not supported; send {accepted}"
        raise PayloadError(message, 415, "unsupported", "content-type")
    if payload.batch and not payload.reports:
        raise PayloadError("the batch has no reports", field="reports")
    if len(payload.reports) > max_batch:
        message = f"a batch holds at most {max_batch} reports, got {len(payload.reports)}"
        raise PayloadError(message, 413, "too_many", "reports")
    return payload


def _json(body: bytes) -> Payload:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"malformed JSON: {exc}") from None
    if isinstance(data, dict) and "reports" in data:
        if set(data) != {"reports"} or not isinstance(data["reports"], list):
            raise PayloadError('a batch is {"reports": [...]} with nothing else', field="reports")
        return Payload(data["reports"], batch=True)
    if not isinstance(data, dict):
        raise PayloadError('send one report as a JSON object, or a batch as {"reports": [...]}')
    return Payload([data], batch=False)
