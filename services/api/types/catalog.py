"""The message catalog (services/common/catalog) through GraphQL: the reader's language, alert texts
as keys and parameters, and the whole catalog for clients that render codes themselves."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from services.common import catalog
from services.common.contracts import events as ev

Lang = strawberry.enum(catalog.Lang, name="Lang", description="A reader's language: en, ru, kk.")


@strawberry.type(
    description=(
        "One sentence of an alert's text: a key of the message catalog's `alert` section and the "
        "values of its placeholders, numbers or codes (a code is rendered through the catalog section "
        'named like its placeholder, e.g. {"violation": "ballot_stuffing"}).'
    )
)
class AlertText:
    key: str
    params: JSON
    _value: strawberry.Private[ev.AlertText]

    @strawberry.field(description="The sentence in `lang`, numbers formatted for it.")
    def text(self, lang: Lang) -> str:  # type: ignore[valid-type]
        return catalog.render(self._value, lang)

    @classmethod
    def from_value(cls, t: ev.AlertText) -> AlertText:
        return cls(key=t.key, params=JSON(dict(t.params)), _value=t)


def texts_from_column(raw: Any) -> tuple[ev.AlertText, ...]:
    """The alerts table's `texts` (jsonb, as text or decoded)."""
    items = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return tuple(ev.AlertText(str(i["key"]), dict(i.get("params", {}))) for i in items or ())


def resolve_message_catalog(lang: Lang) -> JSON:  # type: ignore[valid-type]
    # Every role: the texts name codes only, nothing about a station or a monitor.
    return JSON(catalog.table(lang))


message_catalog_field = strawberry.field(
    resolver=resolve_message_catalog,
    description=(
        "The message catalog in `lang`: section (rule, violation, checklist, phase, alert, verification) -> "
        "code -> text, with {name} placeholders in alert texts. The same catalog the dashboard renders with."
    ),
)
