"""Which alert transition goes to whom: severity, rule, region, and SMS only for critical ones
to people on duty; and when an SMS waits for the minute's digest."""

from __future__ import annotations

import pytest

from services.common.contracts import events as ev
from services.messenger.notify.routing import Channel, Subscription, held_for_digest, targets, wants
from tests.support.alerts import alert

HOOK = Subscription("hook", Channel.WEBHOOK, "http://x", ev.Severity.WARNING, secret="s")
PHONE = Subscription("phone", Channel.SMS, "+442079460001", ev.Severity.INFO)


def test_severity_below_the_subscriptions_least_is_not_sent() -> None:
    assert not wants(HOOK, alert(severity=ev.Severity.INFO))
    assert wants(HOOK, alert(severity=ev.Severity.WARNING))
    assert wants(HOOK, alert(severity=ev.Severity.CRITICAL))


def test_rules_and_regions_narrow_a_subscription() -> None:
    narrow = Subscription(
        "n", Channel.WEBHOOK, "http://x", ev.Severity.INFO, frozenset({"grave_incident"}), frozenset({"ALA"})
    )
    assert wants(narrow, alert())
    assert not wants(narrow, alert(rule="turnout_jump"))
    assert not wants(narrow, alert(region_id="AST"))


def test_webhooks_hear_of_every_transition() -> None:
    heard = [t for t in ev.AlertTransition if wants(HOOK, alert(transition=t))]
    assert heard == [ev.AlertTransition.OPENED, ev.AlertTransition.UPDATED, ev.AlertTransition.RESOLVED]


@pytest.mark.parametrize(
    ("severity", "transition", "texted"),
    [
        (ev.Severity.CRITICAL, ev.AlertTransition.OPENED, True),
        (ev.Severity.CRITICAL, ev.AlertTransition.RESOLVED, True),
        (ev.Severity.CRITICAL, ev.AlertTransition.UPDATED, False),
        (ev.Severity.WARNING, ev.AlertTransition.OPENED, False),
    ],
)
def test_phones_are_texted_only_a_critical_alerts_opening_and_end(
    severity: ev.Severity, transition: ev.AlertTransition, texted: bool
) -> None:
    assert wants(PHONE, alert(severity=severity, transition=transition)) is texted


def test_a_phone_off_duty_is_not_texted() -> None:
    off = Subscription("off", Channel.SMS, "+442079460001", ev.Severity.INFO, on_duty=False)
    assert targets(alert(), [HOOK, PHONE, off]) == [HOOK, PHONE]


def test_sms_beyond_the_minutes_allowance_wait_for_the_digest() -> None:
    assert not held_for_digest(Channel.SMS, 2, per_minute=3)
    assert held_for_digest(Channel.SMS, 3, per_minute=3)
    assert not held_for_digest(Channel.WEBHOOK, 100, per_minute=3)
