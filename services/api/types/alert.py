"""Alert (partner role and above) and what ops did to it (analyst and above)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import strawberry

from services.api.auth import Role
from services.api.context import Info
from services.api.types.catalog import AlertText, Lang, texts_from_column
from services.api.types.enums import AlertState, Severity, VerificationState
from services.api.types.station import Station
from services.common import catalog
from services.common.contracts import events as ev


@strawberry.type(description="An acknowledgement or resolution by an ops key.")
class AlertAction:
    action: str
    key_id: str
    org: str
    note: str
    at: datetime


@strawberry.type
class Alert:
    id: strawberry.ID
    rule: str
    severity: Severity  # type: ignore[valid-type]
    state: AlertState  # type: ignore[valid-type]
    station_id: str
    region_id: str
    value: float = strawberry.field(
        description="The figure the rule measured, in the rule's unit (e.g. turnout %, minutes silent)."
    )
    threshold: float = strawberry.field(description="The bound the value reached (the severity's).")
    message: str
    report_ids: list[str]
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    confidence: float = strawberry.field(
        description="0-1: e.g. 0.6 for one monitor's grave incident, 0.95 once a second corroborates it."
    )
    version: int = strawberry.field(
        description="1 when opened, then 1 more at each transition of this alert."
    )
    _texts: strawberry.Private[tuple[ev.AlertText, ...]]
    verification: VerificationState = strawberry.field(
        default=VerificationState.UNVERIFIED, description="A coordinator's decision on this alert."
    )

    @strawberry.field(
        description=(
            "What `message` says, as message-catalog keys and parameters, for clients that render it "
            "in their reader's language (empty on alerts raised before texts existed)."
        )
    )
    def texts(self) -> list[AlertText]:
        return [AlertText.from_value(t) for t in self._texts]

    @strawberry.field(
        description=(
            "The message in `lang` (prefixed as cleared once resolved); the English `message` for "
            "alerts raised before texts existed."
        )
    )
    def message_for(self, lang: Lang) -> str:  # type: ignore[valid-type]
        if not self._texts:
            return self.message
        return catalog.message(self._texts, lang, resolved=self.state is ev.AlertState.RESOLVED)

    @strawberry.field(description="The rule's name in `lang` (`rule` is its code).")
    def rule_name(self, lang: Lang) -> str:  # type: ignore[valid-type]
        return catalog.text("rule", self.rule, lang)

    @strawberry.field(description="The station, for station-level alerts.")
    def station(self) -> Station | None:
        return Station(id=strawberry.ID(self.station_id)) if self.station_id else None

    @strawberry.field(description="Acknowledgements and resolutions, oldest first (analyst and above).")
    async def actions(self, info: Info) -> list[AlertAction]:
        info.context.require(Role.ANALYST, "Alert.actions")
        rows = await info.context.loaders.alert_actions.load(str(self.id))
        return [
            AlertAction(action=r["action"], key_id=r["key_id"], org=r["org"], note=r["note"], at=r["at"])
            for r in rows
        ]

    @strawberry.field(description="Whether an ops key acknowledged the alert.")
    async def acknowledged(self, info: Info) -> bool:
        rows = await info.context.loaders.alert_actions.load(str(self.id))
        return any(r["action"] == "acknowledge" for r in rows)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Alert:
        return cls(
            id=strawberry.ID(row["id"]),
            rule=row["rule"],
            severity=ev.Severity(row["severity"]),
            state=ev.AlertState(row["state"]),
            station_id=row["station_id"],
            region_id=row["region_id"],
            value=row["value"],
            threshold=row["threshold"],
            message=row["message"],
            report_ids=list(row["report_ids"]),
            opened_at=row["opened_at"],
            updated_at=row["updated_at"],
            resolved_at=row["resolved_at"],
            confidence=row["confidence"],
            version=row["version"],
            _texts=texts_from_column(row["texts"]),
            verification=VerificationState(row["verification"]),
        )

    @classmethod
    def from_event(cls, a: ev.Alert) -> Alert:
        return cls(
            id=strawberry.ID(a.id),
            rule=a.rule,
            severity=a.severity,
            state=a.state,
            station_id=a.station_id,
            region_id=a.region_id,
            value=a.value,
            threshold=a.threshold,
            message=a.message,
            report_ids=list(a.report_ids),
            opened_at=a.opened_at,
            updated_at=a.updated_at,
            resolved_at=a.resolved_at,
            confidence=a.confidence,
            version=a.version,
            _texts=a.texts,
        )
