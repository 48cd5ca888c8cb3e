"""A message to monitors requested through the API: who gets it, and the request's receipt."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(
    description="Who receives a message: the active monitors matching any of these (each once), "
    "within the key's regions for a region-scoped key."
)
class BroadcastAudienceInput:
    everyone: bool = False
    regions: list[strawberry.ID] = strawberry.field(default_factory=list)
    stations: list[strawberry.ID] = strawberry.field(default_factory=list)
    open_alerts: bool = strawberry.field(
        default=False, description="Monitors of stations with an open alert."
    )
    silent: bool = strawberry.field(default=False, description="Monitors of silent stations.")


@strawberry.input(description="The text in a monitor's language, sent instead of `text` to them.")
class BroadcastTranslationsInput:
    en: str | None = None
    ru: str | None = None
    kk: str | None = None


@strawberry.type(description="A message accepted for sending: `pollwatch messages status <id>` follows it.")
class BroadcastRequest:
    id: strawberry.ID
    requested_by: str
    requested_at: datetime
