"""The `forensics(region)` query: live figures of a region or, without one, of the nation."""

from __future__ import annotations

import strawberry

from services.api.context import Info
from services.api.errors import ForbiddenError
from services.api.repository.forensics import forensics_for
from services.api.types.forensics import Forensics
from services.common.contracts.events import NATIONAL


async def resolve_forensics(info: Info, region: strawberry.ID | None = None) -> Forensics | None:
    # Public: region and national aggregates only, nothing about a station or a monitor. The
    # national figures cannot be recombined from regions: a region-scoped key asks per region.
    if region is None and info.context.principal.regions is not None:
        raise ForbiddenError(
            "forensics: this key reads only its regions; ask forensics(region:) for one of them",
            field="forensics",
        )
    if region is not None:
        info.context.require_region(str(region), "forensics")
    row = await forensics_for(info.context.pool, NATIONAL if region is None else str(region))
    return None if row is None else Forensics.from_row(row)


forensics_field = strawberry.field(
    resolver=resolve_forensics,
    description=(
        "Live election forensics (fingerprint heatmap, integer-percentage excess) of a region, "
        "or of the nation without one; null before the first protocols were evaluated."
    ),
)
