"""The largest report of each kind that ingest's validation accepts, found by asking validation.

Each bound (a text's length, a map's or list's size) is searched for with validation itself,
so whatever a bound is changed to, these reports stay the largest acceptable; a field
validation does not bound makes the search fail. Text is written in four-byte characters
(the most UTF-8 spends on one) where validation allows any character.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.common.contracts import events as ev
from services.ingest.validation import Context, validate_report

WIDE = "\U0001f5f3"  # a ballot box with a ballot: four bytes in UTF-8
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
# Beyond any bound ingest means; a field still accepted at this size counts as unbounded.
SEARCH_LIMIT = 100_000
COUNTS = (
    "registered_voters",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "valid_ballots",
    "invalid_ballots",
)

Build = Callable[[int], tuple[dict[str, Any], Context]]


def context(station_id: str, monitor_id: str = "m" * 64) -> Context:
    return Context(monitor_id, frozenset({station_id}), {station_id: 1_000_000}, NOW)


def envelope(body: dict[str, Any], report_id: str = "r", station_id: str = "S") -> dict[str, Any]:
    return {"id": report_id, "station_id": station_id, "observed_at": "2026-03-01T09:00:00+06:00", **body}


def accepted(build: Build, n: int) -> bool:
    raw, ctx = build(n)
    return isinstance(validate_report(raw, ctx), ev.Report)


def largest(build: Build, smallest: int = 1) -> int:
    """The largest n whose report validation accepts (accepting is assumed monotonic in n)."""
    assert accepted(build, smallest), build(smallest)[0]
    low, high = smallest, max(smallest, 1) * 2  # accepted; not known yet
    while accepted(build, high):
        assert high < SEARCH_LIMIT, "validation does not bound this"
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if accepted(build, middle):
            low = middle
        else:
            high = middle
    return low


def _checklist(answers: dict[str, bool], note: str = "") -> dict[str, Any]:
    return {"checklist": {"phase": "opening", "answers": answers, "note": note}}


def _incident(description: str = "", urls: tuple[str, ...] = (), photos: int = 0) -> dict[str, Any]:
    incident = {"violation": "other", "description": description, "evidence_urls": list(urls)}
    return {"incident": incident | {"evidence_ids": _photo_ids(photos)}}


def _protocol(votes: dict[str, int], photos: int = 0) -> dict[str, Any]:
    counts = dict.fromkeys(COUNTS, 1_000_000)
    return {"protocol": counts | {"votes": votes, "copy_received": True, "evidence_ids": _photo_ids(photos)}}


def _photo_ids(n: int) -> list[str]:
    """n distinct photo ids (SHA-256 hex digests have a fixed length)."""
    return [f"{i:064x}" for i in range(n)]


def _keys(n: int, width: int, alphabet: str = "abcdefghij") -> list[str]:
    """n distinct keys of `width` characters (width large enough for n)."""
    keys = []
    for i in range(n):
        digits = "".join(alphabet[int(d)] for d in str(i))
        keys.append(digits + alphabet[0] * (width - len(digits)))
    return keys


def largest_reports() -> tuple[list[dict[str, Any]], Context]:
    """The largest checklist, incident and protocol (turnout is fixed-size), with the context
    (monitor and station) in which validation accepts them."""
    plain = context("S")
    id_len = largest(lambda n: (envelope(_checklist({"a": True}), report_id="x" * n), plain))
    station_len = largest(lambda n: (envelope(_checklist({"a": True}), station_id="S" * n), context("S" * n)))
    item_len = largest(lambda n: (envelope(_checklist({"a" * n: True})), plain))
    answers = largest(lambda n: (envelope(_checklist(dict.fromkeys(_keys(n, 8), True))), plain))
    note = largest(lambda n: (envelope(_checklist({"a": True}, WIDE * n)), plain))
    description = largest(lambda n: (envelope(_incident(WIDE * n)), plain))
    url_len = largest(lambda n: (envelope(_incident(urls=("https://" + WIDE * n,))), plain), 0)
    urls = largest(lambda n: (envelope(_incident(urls=("https://x",) * n)), plain), 0)
    photos = largest(lambda n: (envelope(_incident(photos=n)), plain), 0)
    protocol_photos = largest(lambda n: (envelope(_protocol({"a": 1}, photos=n)), plain), 0)
    party_len = largest(lambda n: (envelope(_protocol({WIDE * n: 1})), plain))
    parties = largest(lambda n: (envelope(_protocol(dict.fromkeys(_keys(n, 8), 1))), plain))

    station = "S" * station_len
    url = "https://" + WIDE * url_len
    votes = dict.fromkeys((k.replace("a", WIDE) for k in _keys(parties, party_len)), 1_000_000)
    reports = [
        _checklist(dict.fromkeys(_keys(answers, item_len), True), WIDE * note),
        _incident(WIDE * description, (url,) * urls, photos),
        _protocol(votes, protocol_photos),
    ]
    return [envelope(body, "x" * id_len, station) for body in reports], context(station)
