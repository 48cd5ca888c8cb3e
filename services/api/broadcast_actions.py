"""`sendMessage`: a message to monitors (coordinator and above), the same broadcast event as
`pollwatch messages send`, written to the broadcasts topic for the messenger. A region-scoped
key reaches only the monitors of its regions and may name no other region."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from services.api.auth import Role
from services.api.broadcast_publisher import BroadcastUnavailableError
from services.api.context import Info
from services.api.errors import InvalidArgumentError, UnavailableError
from services.api.types.broadcast import BroadcastAudienceInput, BroadcastRequest, BroadcastTranslationsInput
from services.common import audit
from services.common.broadcasts import BroadcastError, new_broadcast_id
from services.common.contracts import events as ev

RETRY_AFTER_SECONDS = 5


def _translations(given: BroadcastTranslationsInput | None) -> dict[str, str]:
    if given is None:
        return {}
    return {
        lang: text
        for lang, text in (("en", given.en), ("ru", given.ru), ("kk", given.kk))
        if text is not None
    }


async def send_message(
    info: Info,
    audience: BroadcastAudienceInput,
    text: str,
    translations: BroadcastTranslationsInput | None,
    id: strawberry.ID | None,
) -> BroadcastRequest:
    context = info.context
    context.require(Role.COORDINATOR, "sendMessage")
    for region in audience.regions:
        context.require_region(str(region), "sendMessage")
    p = context.principal
    broadcast = ev.Broadcast(
        id=str(id) if id is not None else new_broadcast_id(),
        kind=ev.BroadcastKind.MESSAGE,
        audience=ev.Audience(
            everyone=audience.everyone,
            region_ids=tuple(str(r) for r in audience.regions),
            station_ids=tuple(str(s) for s in audience.stations),
            open_alert_stations=audience.open_alerts,
            silent_stations=audience.silent,
            within_regions=tuple(context.region_scope or ()),
        ),
        text=text,
        translations=_translations(translations),
        requested_by=audit.api_actor(p.key_id, p.org),
        requested_at=datetime.now(UTC),
    )
    if context.broadcasts is None:
        raise UnavailableError("messages cannot be sent from this process", dependency="kafka")
    try:
        await context.broadcasts.publish(broadcast)
    except BroadcastError as exc:
        raise InvalidArgumentError(exc.message, argument=exc.field) from None
    except BroadcastUnavailableError:
        raise UnavailableError(
            "Kafka did not take the message; send the same request again",
            dependency="kafka",
            retryAfter=RETRY_AFTER_SECONDS,
        ) from None
    return BroadcastRequest(
        id=strawberry.ID(broadcast.id),
        requested_by=broadcast.requested_by,
        requested_at=broadcast.requested_at,
    )
