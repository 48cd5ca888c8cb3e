"""What a notification says: the webhook's JSON body (docs/notify.md) and the SMS text in the
subscriber's language, both rendered once when the notification is queued."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from services.common import catalog
from services.common.contracts import events as ev


def delivery_id(alert: ev.Alert, subscription_id: str) -> str:
    """The same for every attempt: receivers take a delivery once by it."""
    return f"{alert.id}:{alert.version}:{subscription_id}"


def webhook_body(alert: ev.Alert, subscription_id: str) -> str:
    body = {
        "delivery": delivery_id(alert, subscription_id),
        "subscription": subscription_id,
        "transition": alert.transition.value,
        "alert": {
            "id": alert.id,
            "version": alert.version,
            "rule": alert.rule,
            "severity": alert.severity.value,
            "state": alert.state.value,
            "station_id": alert.station_id,
            "region_id": alert.region_id,
            "value": alert.value,
            "threshold": alert.threshold,
            "message": alert.message,
            "texts": [{"key": t.key, "params": dict(t.params)} for t in alert.texts],
            "opened_at": alert.opened_at.isoformat(),
            "updated_at": alert.updated_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }
    return orjson.dumps(body).decode()


def _sms(lang: catalog.Lang, code: str) -> str:
    return catalog.table(lang, catalog.SMS)["notify"][code]


def sms_text(alert: ev.Alert, language: str) -> str:
    lang = catalog.Lang(language)
    resolved = alert.transition is ev.AlertTransition.RESOLVED
    message = catalog.message(alert.texts, lang) if alert.texts else alert.message
    template = _sms(lang, "resolved" if resolved else "opened")
    return template.format(station=alert.station_id, message=message)


def digest_text(stations: Sequence[str], language: str, shown: int = 5) -> str:
    """One SMS for the alerts held back this minute: how many, and the first few stations."""
    named = ", ".join(sorted(set(stations))[:shown]) + ("…" if len(set(stations)) > shown else "")
    return _sms(catalog.Lang(language), "digest").format(count=len(stations), stations=named)
