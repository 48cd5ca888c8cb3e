"""Which subscriptions an alert transition goes to, and when an SMS is folded into a digest:
pure, over plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.common.contracts import events as ev


class Channel(StrEnum):
    WEBHOOK = "webhook"
    SMS = "sms"


# SMS wake people up: only a critical alert's opening and its end are texted.
SMS_TRANSITIONS = frozenset({ev.AlertTransition.OPENED, ev.AlertTransition.RESOLVED})


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    channel: Channel
    target: str
    min_severity: ev.Severity
    rules: frozenset[str] = frozenset()  # empty: every rule
    regions: frozenset[str] = frozenset()  # empty: every region
    on_duty: bool = True
    language: str = "en"
    secret: str | None = None


def wants(sub: Subscription, alert: ev.Alert) -> bool:
    """Whether `sub` is told of this transition of `alert`."""
    if alert.severity.rank < sub.min_severity.rank:
        return False
    if sub.rules and alert.rule not in sub.rules:
        return False
    if sub.regions and alert.region_id not in sub.regions:
        return False
    if sub.channel is Channel.SMS:
        return sub.on_duty and alert.severity is ev.Severity.CRITICAL and alert.transition in SMS_TRANSITIONS
    return True


def targets(alert: ev.Alert, subs: list[Subscription]) -> list[Subscription]:
    return [s for s in subs if wants(s, alert)]


def held_for_digest(channel: Channel, sent_last_minute: int, per_minute: int) -> bool:
    """An SMS beyond `per_minute` to one phone within a minute waits for that minute's digest."""
    return channel is Channel.SMS and sent_last_minute >= per_minute
