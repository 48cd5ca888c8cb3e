"""The printable credentials sheet: one HTML page per region, one card per monitor, each in the
monitor's language with a QR code of their login link. Pure: cards in, HTML out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import segno

from services.common.monitors.card_texts import text
from services.common.monitors.phones import mask


@dataclass(frozen=True, slots=True)
class Card:
    monitor_id: str
    name: str
    phone: str | None
    stations: tuple[str, ...]
    lang: str | None  # the monitor's language; None: the sheet's
    region: str  # the region's name
    coordinator: str
    link: str  # the login link, token included


_STYLE = """
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; margin: 0; color: #000; }
header { margin-bottom: 6mm; }
header h1 { font-size: 14pt; margin: 0 0 2mm; }
header p { margin: 0; }
.cards { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
.card { border: 1px dashed #555; padding: 4mm; break-inside: avoid; page-break-inside: avoid;
        display: grid; grid-template-columns: auto 1fr; gap: 3mm; }
.card h2 { font-size: 11pt; margin: 0 0 1mm; }
.card .qr svg { display: block; }
.card dl { margin: 0; display: grid; grid-template-columns: auto 1fr; column-gap: 2mm; }
.card dt { font-weight: bold; }
.card dd { margin: 0; }
.card .link { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; word-break: break-all; }
.card .small { font-size: 7.5pt; grid-column: 1 / -1; margin: 0; }
@media screen { body { max-width: 210mm; margin: 10mm auto; } }
"""


def _qr(link: str) -> str:
    # Error correction M: still reads with a crease or a coffee ring on the card.
    return str(segno.make(link, error="m", micro=False).svg_inline(scale=3, border=2))


def _card(card: Card, issued: date, sheet_lang: str) -> str:
    lang = card.lang or sheet_lang
    rows = [
        (text("stations", lang), ", ".join(card.stations)),
        (text("region", lang), card.region),
    ]
    if card.coordinator:
        rows.append((text("coordinator", lang), card.coordinator))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    notes = [text("api", lang), text("private", lang, date=issued.isoformat())]
    if card.phone:
        notes.insert(0, text("sms", lang, phone=mask(card.phone)))
    return (
        f'<section class="card" lang="{escape(lang)}" data-monitor="{escape(card.monitor_id)}">'
        f'<div class="qr">{_qr(card.link)}</div>'
        f"<div><h2>{escape(card.name)}</h2><p>{escape(text('card_title', lang))}</p><dl>{details}</dl></div>"
        f'<p class="small">{escape(text("scan", lang))}<br><span class="link">{escape(card.link)}</span></p>'
        + "".join(f'<p class="small">{escape(n)}</p>' for n in notes)
        + "</section>"
    )


def render_sheet(region: str, cards: list[Card], issued: date, language: str = "en") -> str:
    """The sheet for one region; `language` is the header's (the operator's), and the cards' of
    monitors without a language of their own."""
    title = text("sheet_title", language, region=region, count=len(cards))
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(text('sheet_note', language))}</p></header>"
        f'<main class="cards">{"".join(_card(c, issued, language) for c in cards)}</main></body></html>\n'
    )
