"""Live election forensics of a region or the nation (public: aggregates only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import orjson
import strawberry


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


@strawberry.type(description="Live forensic figures over the final protocols received so far.")
class Forensics:
    region: strawberry.ID | None = strawberry.field(description="Null for the nation.")
    computed_at: datetime
    stations: int = strawberry.field(description="Final protocols counted.")
    tested: int = strawberry.field(description="Protocols passing the test's filters (>= 100 voters ...).")
    leader: str | None = strawberry.field(description="The national front-runner the shares refer to.")
    turnout_pct: float
    leader_share_pct: float
    integer: IntegerExcess
    significant: bool = strawberry.field(
        description="z >= thresholdZ with at least minStations tested: the region alert's condition."
    )
    threshold_z: float
    min_stations: int
    method: str
    fingerprint: Fingerprint

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Forensics:
        summary, heat = _json(row["summary"]), _json(row["fingerprint"])
        integer = summary["integer"]
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
            threshold_z=float(summary["threshold_z"]),
            min_stations=int(summary["min_stations"]),
            method=str(summary["method"]),
            fingerprint=Fingerprint(bins=int(heat["bins"]), counts=heat["counts"]),
        )


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value
