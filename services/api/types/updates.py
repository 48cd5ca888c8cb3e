"""What subscriptions deliver: a value with its sequence number and revision."""

from __future__ import annotations

import strawberry

from services.api.types.alert import Alert
from services.api.types.enums import AlertTransition
from services.api.types.overview import Overview
from services.api.types.region import Region
from services.api.types.station import Station

_SEQ = "Per subscription, 1, 2, 3, ... with no gaps: a gap means a missed message."
_REVISION = "Hub-wide and increasing; on stats streams a jump means intermediate states were conflated."


@strawberry.type
class StationUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    station: Station


@strawberry.type
class RegionUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    region: Region


@strawberry.type
class OverviewUpdate:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    overview: Overview


@strawberry.type
class AlertEvent:
    seq: int = strawberry.field(description=_SEQ)
    revision: int = strawberry.field(description=_REVISION)
    transition: AlertTransition  # type: ignore[valid-type]
    alert: Alert
