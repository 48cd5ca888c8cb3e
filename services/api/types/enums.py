"""The GraphQL enums, mirroring the domain's values."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from services.api.repository.stations import StationOrder, StationStatus
from services.common.contracts import events as ev

Severity = strawberry.enum(ev.Severity, name="Severity", description="Alert severity, lowest first.")
AlertState = strawberry.enum(ev.AlertState, name="AlertState")
AlertTransition = strawberry.enum(ev.AlertTransition, name="AlertTransition")
ReportKind = strawberry.enum(ev.ReportKind, name="ReportKind")
StationStatusEnum = strawberry.enum(
    StationStatus,
    name="StationStatus",
    description="REPORTING: reports arrive; SILENT: reports stopped; NO_DATA: none yet.",
)
StationOrderEnum = strawberry.enum(
    StationOrder, name="StationOrder", description="Orderings of the stations list (ties by id)."
)


@strawberry.enum(description="A report's or alert's verification by a coordinator.")
class VerificationState(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"


@strawberry.enum(description="What came of a coordinator's call to the monitor behind a review item.")
class CallBackOutcome(StrEnum):
    CONFIRMED = "confirmed"  # the monitor confirmed what they reported
    CORRECTED = "corrected"  # the monitor gave other figures (to send as a correction)
    RETRACTED = "retracted"  # the monitor withdrew the report
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"  # wrong number, phone off, no monitor assigned


@strawberry.enum(description="What a review item is.")
class ReviewKind(StrEnum):
    REPORT = "report"
    ALERT = "alert"
