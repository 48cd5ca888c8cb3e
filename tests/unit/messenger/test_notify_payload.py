"""What notifications say: the webhook's body, and SMS in the subscriber's language."""

from __future__ import annotations

import orjson
import pytest

from services.common.contracts import events as ev
from services.messenger.notify.payload import digest_text, sms_text, webhook_body
from tests.support.alerts import alert


def test_the_webhook_body_names_the_delivery_and_the_alert() -> None:
    body = orjson.loads(webhook_body(alert(version=3), "sub-1"))
    assert body["delivery"] == "A1:3:sub-1"
    assert body["transition"] == "opened"
    assert body["alert"]["severity"] == "critical"
    assert body["alert"]["station_id"] == "ALA-0001"
    assert body["alert"]["texts"] == [
        {"key": "grave_incident.single", "params": {"violation": "ballot_stuffing"}}
    ]


@pytest.mark.parametrize(
    ("language", "opened", "resolved"),
    [
        ("en", "pollwatch CRITICAL ALA-0001: ", "pollwatch cleared ALA-0001: "),
        ("ru", "pollwatch КРИТИЧНО ALA-0001: ", "pollwatch снято ALA-0001: "),
        ("kk", "pollwatch ӨТЕ МАҢЫЗДЫ ALA-0001: ", "pollwatch жойылды ALA-0001: "),
    ],
)
def test_sms_are_written_in_the_subscribers_language(language: str, opened: str, resolved: str) -> None:
    assert sms_text(alert(), language).startswith(opened)
    assert sms_text(alert(transition=ev.AlertTransition.RESOLVED), language).startswith(resolved)
    assert "{" not in sms_text(alert(), language)


def test_the_english_sms_renders_the_alerts_text() -> None:
    assert sms_text(alert(), "en") == "pollwatch CRITICAL ALA-0001: Ballot stuffing reported by one monitor"


def test_the_digest_counts_and_names_the_first_stations() -> None:
    stations = [f"ALA-{n:04d}" for n in range(7, 0, -1)]
    assert digest_text(stations, "en") == (
        "pollwatch: 7 more critical alerts this minute at ALA-0001, ALA-0002, ALA-0003, ALA-0004,"
        " ALA-0005…. See the dashboard."
    )
