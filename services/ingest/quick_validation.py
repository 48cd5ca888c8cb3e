"""The common case in a few microseconds: a well-formed turnout report.

Most of election day's traffic is cumulative turnout updates. `quick_turnout` accepts such
a report only when `validation.validate_report` would accept it, and builds the same
`events.Report`; for anything else (another body, any doubtful field) it answers None and
the full validation, which names every problem, decides. A hypothesis test holds the two
to the same answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeGuard

from services.common.contracts import events as ev
from services.ingest.fields import MAX_COUNT
from services.ingest.validation import ENVELOPE, ID_PATTERN, Context

_ENVELOPE = frozenset(ENVELOPE)
_TURNOUT_FIELDS = frozenset(("ballots_issued", "home_voting_applications"))
_OTHER_BODIES = ("checklist", "incident", "protocol")
_FLAGGED = frozenset((ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED,))
_UNFLAGGED: frozenset[ev.ReportFlag] = frozenset()


def quick_turnout(raw: object, ctx: Context) -> ev.Report | None:
    """The report, if `raw` is a valid turnout report; None to let full validation decide."""
    if type(raw) is not dict or not raw.keys() <= _ENVELOPE:
        return None
    report_id, station_id, observed, body = (
        raw.get("id"),
        raw.get("station_id"),
        raw.get("observed_at"),
        raw.get("turnout"),
    )
    if type(body) is not dict or not body.keys() <= _TURNOUT_FIELDS:
        return None
    for other in _OTHER_BODIES:
        if raw.get(other) is not None:
            return None
    issued, home = body.get("ballots_issued"), body.get("home_voting_applications", 0)
    if home is None:
        home = 0
    if not _count(issued) or not _count(home):
        return None
    if type(report_id) is not str or len(report_id) > 128 or not ID_PATTERN.fullmatch(report_id):
        return None
    if type(station_id) is not str or station_id not in ctx.monitor_stations:
        return None
    registered = ctx.registered.get(station_id)
    if registered is None or len(station_id) > 64:
        return None
    observed_at = _observed_at(observed, ctx)
    if observed_at is None:
        return None
    return ev.Report(
        id=report_id,
        station_id=station_id,
        monitor_id=ctx.monitor_id,
        channel=ctx.channel,
        observed_at=observed_at,
        received_at=ctx.now,
        body=ev.TurnoutUpdate(issued, home),
        flags=_FLAGGED if issued > registered else _UNFLAGGED,
    )


def _count(value: object) -> TypeGuard[int]:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _observed_at(value: object, ctx: Context) -> datetime | None:
    if type(value) is not str or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.utcoffset() is None or when.year < 2000 or not ctx.earliest <= when - ctx.now <= ctx.latest:
        return None
    return when
