"""Observer findings (public, like region figures): per region and over the key's regions, per
violation type and per checklist question, stations observed and the share of them concerned."""

from __future__ import annotations

import strawberry

from services.api import findings as domain
from services.api.types.catalog import Lang
from services.common import catalog


@strawberry.type(description="One violation type over a set of stations: stations, never reports.")
class ViolationFinding:
    violation: str = strawberry.field(description="The violation code (catalog section `violation`).")
    stations_reported: int = strawberry.field(
        description="Stations where at least one report of it came in (repeats do not add)."
    )
    stations_corroborated: int = strawberry.field(
        description="Of those, stations where two monitors or more reported it."
    )
    share: float = strawberry.field(
        description="stationsReported / stationsObserved (0..1, 4 decimals; 0 before any)."
    )

    @strawberry.field(description="The violation's name in `lang`.")
    def name(self, lang: Lang) -> str:  # type: ignore[valid-type]
        return catalog.text("violation", self.violation, lang)


@strawberry.type(description="One checklist question of one phase (checklists.yaml) over a set of stations.")
class ChecklistFinding:
    phase: str = strawberry.field(description="readiness, opening or closing (catalog section `phase`).")
    question: str = strawberry.field(description="The question id (catalog section `checklist`).")
    critical: bool = strawberry.field(description="Whether a no opens a station alert (checklist_failed).")
    stations_answered: int = strawberry.field(
        description="Observed stations whose latest checklist of the phase answers it."
    )
    stations_answered_no: int = strawberry.field(description="Of those, stations whose latest answer is no.")
    share_no: float = strawberry.field(
        description="stationsAnsweredNo / stationsObserved (0..1, 4 decimals)."
    )

    @strawberry.field(description="The question in `lang`.")
    def text(self, lang: Lang) -> str:  # type: ignore[valid-type]
        return catalog.text("checklist", self.question, lang)


@strawberry.type(description="Findings of one region, or of the nation (a region-scoped key: its regions).")
class RegionFindings:
    region_id: strawberry.ID | None = strawberry.field(
        description="The region; null for the national figures."
    )
    stations_total: int = strawberry.field(description="Stations in the registry.")
    stations_observed: int = strawberry.field(description="Stations whose monitor sent at least one report.")
    violations: list[ViolationFinding] = strawberry.field(
        description="Every violation type, in catalog order."
    )
    checklist: list[ChecklistFinding] = strawberry.field(description="Every question of every phase.")

    @strawberry.field(description="stationsObserved / stationsTotal (0..1, 4 decimals).")
    def observed_share(self) -> float:
        return domain.share(self.stations_observed, self.stations_total)

    @classmethod
    def from_figures(cls, f: domain.FindingsFigures) -> RegionFindings:
        return cls(
            region_id=strawberry.ID(f.region_id) if f.region_id else None,
            stations_total=f.stations_total,
            stations_observed=f.stations_observed,
            violations=[
                ViolationFinding(
                    violation=v.violation.value,
                    stations_reported=v.stations,
                    stations_corroborated=v.corroborated,
                    share=v.share,
                )
                for v in f.violations
            ],
            checklist=[
                ChecklistFinding(
                    phase=q.phase,
                    question=q.question,
                    critical=q.critical,
                    stations_answered=q.answered,
                    stations_answered_no=q.answered_no,
                    share_no=q.share_no,
                )
                for q in f.checklist
            ],
        )


@strawberry.type(description="Findings nationally (a region-scoped key: over its regions) and per region.")
class Findings:
    national: RegionFindings
    regions: list[RegionFindings]


@strawberry.type(description="A region's findings (regionId null: the national figures) as they change.")
class FindingsUpdate:
    seq: int = strawberry.field(
        description="Per subscription, 1, 2, 3, ... with no gaps: a gap means a missed message."
    )
    revision: int = strawberry.field(
        description="The newest station revision counted (hub-wide, increasing)."
    )
    findings: RegionFindings
    figures: strawberry.Private[domain.FindingsFigures]

    def share_key(self) -> tuple[object, ...]:
        """Identifies the event for shared execution and frames (with the plan's role and
        scope): the figures themselves, as subscribers count them alike."""
        return ("findings", self.revision, self.figures)
