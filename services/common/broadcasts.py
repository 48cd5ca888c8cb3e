"""Requesting a broadcast to monitors: checking it and writing it to the broadcasts topic.

Shared by `pollwatch messages send` and the API's `sendMessage`; the messenger does the rest.
A request is acknowledged once Kafka has it; its id makes a resend harmless.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.errors import PollwatchError
from services.common.infra.settings import SharedSettings

LANGUAGES = ("kk", "ru", "en")
# Ten concatenated SMS; gateways refuse more (Twilio: 1,600 characters).
MAX_TEXT = 1600
MAX_LISTED = 5000  # station or monitor ids in one audience
# No dot: a delivery's send id is "<broadcast id>.<monitor id>".
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class BroadcastError(PollwatchError):
    """A broadcast refused before it was sent anywhere; `field` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str


def new_broadcast_id() -> str:
    return "bc-" + uuid.uuid4().hex[:16]


def problems(b: ev.Broadcast) -> list[Problem]:
    """What is wrong with a requested broadcast (nothing: it may be sent)."""
    found: list[Problem] = []
    if not _ID.fullmatch(b.id):
        found.append(Problem("id", "1-64 letters, digits, '-' or '_'"))
    if not b.audience.selects_anyone:
        found.append(
            Problem("audience", "choose everyone, regions, stations, monitors, open alerts or silent")
        )
    for name, listed in (
        ("audience.stations", b.audience.station_ids),
        ("audience.monitors", b.audience.monitor_ids),
    ):
        if len(listed) > MAX_LISTED:
            found.append(Problem(name, f"more than {MAX_LISTED} ids"))
    if b.kind is ev.BroadcastKind.MESSAGE and not b.text.strip():
        found.append(Problem("text", "a message needs a text"))
    if b.kind is ev.BroadcastKind.CREDENTIALS and (b.text or b.translations):
        found.append(Problem("text", "credentials are sent with the built-in text only"))
    for language, text in (("", b.text), *b.translations.items()):
        field = f"translations.{language}" if language else "text"
        if language and language not in LANGUAGES:
            found.append(Problem(field, f"{language!r} is not one of kk, ru, en"))
        if len(text) > MAX_TEXT:
            found.append(Problem(field, f"longer than {MAX_TEXT} characters ({len(text)})"))
        if language and not text.strip():
            found.append(Problem(field, "empty"))
    return found


async def publish(producer: AIOKafkaProducer, shared: SharedSettings, broadcast: ev.Broadcast) -> None:
    """Checks the broadcast and writes it to the broadcasts topic; returns once Kafka has it."""
    found = problems(broadcast)
    if found:
        raise BroadcastError(found[0].field, found[0].message)
    await producer.send_and_wait(
        shared.topic(topics.BROADCASTS.name),
        codec.encode_broadcast(broadcast),
        key=broadcast.id.encode(),
    )
