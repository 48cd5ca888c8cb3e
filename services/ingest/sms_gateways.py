"""SMS gateways' webhooks: reading the inbound message, and answering in each one's format.

Twilio (form: From, Body, MessageSid; answered with TwiML), Telerivet (form: from_number,
content, id, secret; answered with its JSON "messages"), RapidPro / Africa's Talking / any
other (form or JSON: from, text; answered with {"reply": ...}).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import orjson

from services.ingest.characters import clean

SENDER_FIELDS = ("From", "from", "from_number", "sender", "phone", "urn")
TEXT_FIELDS = ("Body", "text", "content", "message", "body")
# When the phone sent the text (the SMS centre's timestamp), where the gateway passes it on:
# a text delayed by a bad network is then placed at the time it was written, not received.
SENT_FIELDS = ("sent_at", "sent_on", "time_sent", "time_created", "timestamp")


class Gateway(StrEnum):
    TWILIO = "twilio"
    TELERIVET = "telerivet"
    GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class Inbound:
    gateway: Gateway
    sender: str
    text: str
    secret: str
    sent_at: datetime | None = None


class InboundError(ValueError):
    """The webhook body is not an SMS we can read (a gateway misconfiguration); `field` names
    the part at fault (`body`, `content-type`, or the sender and text fields)."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


def read_inbound(body: bytes, content_type: str) -> Inbound:
    fields = _fields(body, content_type)
    sender = next((fields[k] for k in SENDER_FIELDS if fields.get(k)), "")
    text = next((fields[k] for k in TEXT_FIELDS if k in fields), None)
    if not sender or text is None:
        raise InboundError(
            "expected the sender (From / from / from_number) and the text (Body / text / content)",
            "from" if not sender else "text",
        )
    if "MessageSid" in fields or "SmsSid" in fields or "Body" in fields:
        gateway = Gateway.TWILIO
    elif "from_number" in fields or fields.get("event") == "incoming_message":
        gateway = Gateway.TELERIVET
    else:
        gateway = Gateway.GENERIC
    sent = next((parse_sent_at(fields[k]) for k in SENT_FIELDS if fields.get(k)), None)
    return Inbound(gateway, sender, text, fields.get("secret", ""), sent)


def parse_sent_at(raw: str) -> datetime | None:
    """ISO 8601 with a zone, or Unix seconds (Telerivet); None when neither, or without a zone."""
    try:
        return datetime.fromtimestamp(float(raw), UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _fields(body: bytes, content_type: str) -> dict[str, str]:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InboundError(f"malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InboundError("the JSON body must be an object")
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}
    if kind in ("application/x-www-form-urlencoded", ""):
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise InboundError("the form is not UTF-8") from None
        return {k: v[0] for k, v in parsed.items()}
    raise InboundError(f"content type {kind!r} is not a webhook form", "content-type")


def reply_body(gateway: Gateway, reply: str, status: str, report_id: str | None) -> tuple[bytes, str]:
    """The answer in the gateway's own format: (body, media type).

    A reply may quote what the monitor typed; control characters are left out of it (XML
    allows none of them, and no phone shows them)."""
    reply = clean(reply)
    if gateway is Gateway.TWILIO:
        xml = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(reply)}</Message></Response>'
        return xml.encode(), "application/xml"
    if gateway is Gateway.TELERIVET:
        return orjson.dumps({"messages": [{"content": reply}]}), "application/json"
    return orjson.dumps({"reply": reply, "status": status, "report_id": report_id}), "application/json"
