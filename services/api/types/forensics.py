"""Live election forensics of a region or the nation (public: aggregates only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import orjson
import strawberry

from services.forensics import region_screen

ScreenStatus = strawberry.enum(
    region_screen.ScreenStatus,
    name="ScreenStatus",
    description=(
        "A scope under the region screen's rule, the same in `pollwatch forensics`: FLAGGED (z >= "
        "thresholdZ with at least minStations tested), TOO_FEW_TESTED (z >= thresholdZ on fewer "
        "protocols: shown, not flagged), BELOW_THRESHOLD."
    ),
)


@strawberry.type(description="Protocols at a whole-number percentage (within 0.05 points) against chance.")
class IntegerTest:
    observed: int = strawberry.field(description="Protocols at a whole-number percentage.")
    expected: float = strawberry.field(description="Expected by chance (exact binomial null mean).")
    std: float = strawberry.field(description="Null standard deviation.")
    excess: float = strawberry.field(description="observed - expected.")
    z: float = strawberry.field(description="excess / std; the region alert fires at thresholdZ.")
    p_value: float = strawberry.field(description="P(count >= observed) by chance (approximate).")

    @classmethod
    def from_json(cls, x: dict[str, Any]) -> IntegerTest:
        return cls(
            observed=int(x["observed"]), expected=float(x["expected"]), std=float(x["std"]),
            excess=float(x["excess"]), z=float(x["z"]), p_value=float(x["p_value"]),
        )  # fmt: skip


@strawberry.type(description="Integer-percentage tests (Kobak, Shpilkin & Pshenichnikov 2016).")
class IntegerExcess:
    either: IntegerTest = strawberry.field(description="Turnout or leader share whole: the screened one.")
    turnout: IntegerTest
    leader_share: IntegerTest


@strawberry.type(
    description="Election fingerprint (Klimek et al. 2012): stations per turnout x leader-share cell."
)
class Fingerprint:
    bins: int = strawberry.field(description="Cells per axis; cell i spans [i/bins, (i+1)/bins).")
    counts: list[list[int]] = strawberry.field(
        description="counts[turnout bin][leader-share bin]: the heatmap matrix, bins x bins."
    )


@strawberry.type(description="One region's integer-percentage screen, as the national figures list it.")
class RegionScreen:
    region: strawberry.ID
    tested: int = strawberry.field(description="Protocols in the region's test.")
    z: float = strawberry.field(description="The region's 'turnout or leader share' z.")
    screen: ScreenStatus  # type: ignore[valid-type]

    @classmethod
    def from_json(cls, x: dict[str, Any]) -> RegionScreen:
        return cls(
            region=strawberry.ID(x["region"]), tested=int(x["tested"]), z=float(x["z"]),
            screen=region_screen.ScreenStatus(x["screen"]),
        )  # fmt: skip


@strawberry.type(description="Live forensic figures over the final protocols received so far.")
class Forensics:
    region: strawberry.ID | None = strawberry.field(description="Null for the nation.")
    computed_at: datetime
    stations: int = strawberry.field(description="Final protocols counted.")
    tested: int = strawberry.field(description="Protocols passing the test's filters (>= 100 voters ...).")
    leader: str | None = strawberry.field(description="The national front-runner the shares refer to.")
    turnout_pct: float = strawberry.field(
        description="100 * ballots issued / registered voters, summed over the protocols counted."
    )
    leader_share_pct: float = strawberry.field(
        description="100 * the leader's votes / (valid + invalid ballots), over the same protocols."
    )
    integer: IntegerExcess
    significant: bool = strawberry.field(
        description="z >= thresholdZ with at least minStations tested: the region alert's condition."
    )
    screen: ScreenStatus = strawberry.field(  # type: ignore[valid-type]
        description="This scope under the region screen's rule (the nation is reported, never alerted on)."
    )
    regions_above_threshold: list[RegionScreen] = strawberry.field(
        description=(
            "Nationally: every region whose z reaches thresholdZ, FLAGGED or TOO_FEW_TESTED, highest z "
            "first: the regions `pollwatch forensics` lists. Empty for a region."
        )
    )
    regions_counted: int | None = strawberry.field(
        description="Nationally: regions with protocols counted. Null for a region."
    )
    threshold_z: float = strawberry.field(description="The z from which a region's alert fires.")
    min_stations: int = strawberry.field(description="Protocols a region needs tested before it can fire.")
    method: str
    fingerprint: Fingerprint

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Forensics:
        summary, heat = _json(row["summary"]), _json(row["fingerprint"])
        integer = summary["integer"]
        national = not row["region_id"]
        # Rows written before the screen was stored: derived from the figures they hold.
        status = (
            summary.get("screen")
            or region_screen.screen(
                int(summary["tested"]),
                float(integer["either"]["z"]),
                float(summary["threshold_z"]),
                int(summary["min_stations"]),
            ).value
        )
        return cls(
            region=strawberry.ID(row["region_id"]) if row["region_id"] else None,
            computed_at=row["computed_at"],
            stations=int(row["stations"]),
            tested=int(summary["tested"]),
            leader=summary["leader"],
            turnout_pct=float(summary["turnout_pct"]),
            leader_share_pct=float(summary["leader_share_pct"]),
            integer=IntegerExcess(
                either=IntegerTest.from_json(integer["either"]),
                turnout=IntegerTest.from_json(integer["turnout"]),
                leader_share=IntegerTest.from_json(integer["leader_share"]),
            ),
            significant=bool(summary["significant"]),
            screen=region_screen.ScreenStatus(status),
            regions_above_threshold=[RegionScreen.from_json(r) for r in summary.get("regions", [])],
            regions_counted=summary.get("regions_counted") if national else None,
            threshold_z=float(summary["threshold_z"]),
            min_stations=int(summary["min_stations"]),
            method=str(summary["method"]),
            fingerprint=Fingerprint(bins=int(heat["bins"]), counts=heat["counts"]),
        )


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value
