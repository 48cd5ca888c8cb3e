"""What subscriptions deliver: a value with its sequence number and revision."""

from __future__ import annotations

import strawberry

from services.api.types.alert import Alert
from services.api.types.enums import AlertTransition
from services.api.types.overview import Overview
from services.api.types.region import Region
from services.api.types.review import ReviewItem
from services.api.types.station import Station

_SEQ = "Per subscription, 1, 2, 3, ... with no gaps: a gap means a missed message."
_REVISION = "Hub-wide and increasing; on stats streams a jump means intermediate states were conflated."


@strawberry.type
class StationUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    station: Station

    def share_key(self) -> tuple[object, ...]:
        """Identifies the event (not the subscriber) for shared execution."""
        return ("stations", self.revision)


@strawberry.type
class RegionUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    region: Region

    def share_key(self) -> tuple[object, ...]:
        return ("regions", self.revision)


@strawberry.type
class OverviewUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    overview: Overview

    def share_key(self) -> tuple[object, ...]:
        # The open-alert counts are read at delivery, so they are part of the event's identity.
        counts = self.overview.open_alerts
        return ("overview", self.revision, counts.info, counts.warning, counts.critical)


@strawberry.type
class AlertEvent:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    transition: AlertTransition  # type: ignore[valid-type]
    alert: Alert

    def share_key(self) -> tuple[object, ...]:
        return ("alerts", self.revision)


@strawberry.type
class ReviewUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(
        description="Per API process and increasing; a jump means another item's change came between, "
        "or this item's intermediate states were conflated."
    )
    item: ReviewItem = strawberry.field(description="The item's state after the change, whatever it is.")

    def share_key(self) -> tuple[object, ...]:
        return ("review", self.revision)
