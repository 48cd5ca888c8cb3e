"""Who is told of alerts and what reached them (coordinators and admins): the subscriptions and
the notifier's delivery log (docs/notify.md). Signing secrets are never read back."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import strawberry


@strawberry.type(description="A webhook or on-duty phone told of alerts (docs/notify.md).")
class AlertSubscription:
    id: strawberry.ID
    name: str
    channel: str = strawberry.field(description="webhook or sms")
    target: str = strawberry.field(description="The webhook's URL or the phone (E.164).")
    min_severity: str
    rules: list[str] = strawberry.field(description="Empty: every rule.")
    regions: list[strawberry.ID] = strawberry.field(description="Empty: every region.")
    on_duty: bool = strawberry.field(description="Phones: texted only while on duty.")

    @classmethod
    def from_row(cls, r: asyncpg.Record) -> AlertSubscription:
        return cls(
            id=strawberry.ID(r["id"]),
            name=r["name"],
            channel=r["channel"],
            target=r["target"],
            min_severity=r["min_severity"],
            rules=list(r["rules"]),
            regions=[strawberry.ID(x) for x in r["regions"]],
            on_duty=r["on_duty"],
        )


@strawberry.type(description="One alert transition to one subscription: its state and attempts.")
class AlertDelivery:
    alert_id: strawberry.ID
    version: int
    subscription_id: strawberry.ID
    subscription_name: str
    channel: str
    transition: str
    severity: str
    station_id: strawberry.ID
    state: str = strawberry.field(description="queued, sending, unknown, delivered or dead")
    attempts: int
    last_status: int | None = strawberry.field(description="The receiver's last HTTP status.")
    error: str | None
    digest: bool = strawberry.field(description="An SMS sent within the minute's digest.")
    raised_at: datetime
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_row(cls, r: asyncpg.Record) -> AlertDelivery:
        return cls(
            alert_id=strawberry.ID(r["alert_id"]),
            version=r["version"],
            subscription_id=strawberry.ID(r["subscription_id"]),
            subscription_name=r["name"],
            channel=r["channel"],
            transition=r["transition"],
            severity=r["severity"],
            station_id=strawberry.ID(r["station_id"]),
            state=r["state"],
            attempts=r["attempts"],
            last_status=r["last_status"],
            error=r["error"],
            digest=r["digest"],
            raised_at=r["raised_at"],
            created_at=r["created_at"],
            delivered_at=r["delivered_at"],
        )
