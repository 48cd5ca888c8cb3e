"""A parsed SMS command, for a known monitor, to a validated `events.Report` (pure).

The station number is resolved among the monitor's own stations, the command becomes the
same JSON shape HTTP clients send, and `validation` applies the same checks to both channels.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import orjson

from services.common import events as ev
from services.ingest.sms_grammar import (
    SmsChecklist,
    SmsError,
    SmsIncident,
    SmsProtocol,
    SmsTurnout,
    StationRef,
)
from services.ingest.validation import Context, Rejected, validate_report

# A resend of the same text within this bucket is the same report (docs/sms.md).
RESEND_BUCKET = timedelta(minutes=30)
_UNNAMED = "sms-unnamed"  # the id while the report is validated
_STATION_ID = re.compile(r"([A-Za-z]*)[-_ ]?0*(\d+)")
_LABELS = {
    "ballots_issued": "ballots issued",
    "home_voting_applications": "H",
    "station_id": "station",
    "observed_at": "time",
}

SmsReportCommand = SmsTurnout | SmsIncident | SmsChecklist | SmsProtocol


@dataclass(frozen=True, slots=True)
class SmsMatch:
    """The station a StationRef names among a monitor's stations, or why there is none."""

    station_id: str | None
    error: SmsError | None = None


def resolve_station(ref: StationRef, stations: Iterable[str]) -> SmsMatch:
    found = []
    for station_id in sorted(stations):
        m = _STATION_ID.fullmatch(station_id)
        if m is None:
            continue
        if int(m.group(2)) == ref.number and (not ref.prefix or m.group(1).upper() == ref.prefix):
            found.append(station_id)
    if len(found) == 1:
        return SmsMatch(found[0])
    yours = ", ".join(sorted(stations)[:5]) or "none"
    if not found:
        msg = f"Station {ref} is not one of your stations (yours: {yours}). Check the number."
        return SmsMatch(None, SmsError("station_not_assigned", msg))
    several = ", ".join(found[:3])
    msg = f"Several of your stations are numbered {ref}: {several}. Type the full code, e.g. {found[0]}."
    return SmsMatch(None, SmsError("ambiguous_station", msg))


def sms_body(command: SmsReportCommand) -> dict[str, object]:
    """The command as the JSON body an HTTP client would send."""
    if isinstance(command, SmsTurnout):
        return {
            "turnout": {
                "ballots_issued": command.ballots_issued,
                "home_voting_applications": command.home_voting_applications,
            }
        }
    if isinstance(command, SmsIncident):
        return {"incident": {"violation": command.violation.value, "description": command.description}}
    if isinstance(command, SmsChecklist):
        answers = dict(command.answers)
        return {"checklist": {"phase": command.phase.value, "answers": answers, "note": command.note}}
    return {"protocol": {**command.counts, "votes": command.votes, "copy_received": command.copy_received}}


def sms_report_id(monitor_id: str, station_id: str, body: dict[str, object], now: datetime) -> str:
    """Same monitor, same station, same content, same half hour: the same report (a resend)."""
    bucket = int(now.timestamp() // RESEND_BUCKET.total_seconds())
    canonical = orjson.dumps([monitor_id, station_id, body, bucket], option=orjson.OPT_SORT_KEYS)
    return "sms-" + hashlib.sha256(canonical).hexdigest()[:32]


def sms_report(
    command: SmsReportCommand, ctx: Context, sent_at: datetime | None = None
) -> ev.Report | SmsError:
    """Resolves the station and validates the report as the HTTP channel would.

    The report is observed when the phone sent it (`sent_at`, from the gateway) if known and
    not in the future, else when it arrived.
    """
    match = resolve_station(command.station, ctx.monitor_stations)
    if match.station_id is None:
        assert match.error is not None
        return match.error
    body = sms_body(command)
    observed = sent_at if sent_at is not None and sent_at <= ctx.now else ctx.now
    payload = {"id": _UNNAMED, "station_id": match.station_id, "observed_at": observed.isoformat(), **body}
    result = validate_report(payload, ctx)
    if isinstance(result, Rejected):
        first = result.errors[0]
        label = _LABELS.get(first.field.rsplit(".", 1)[-1], first.field.rsplit(".", 1)[-1])
        more = f" (+{len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        return SmsError(
            first.code, f"{label}: {first.message}{more}.", details=tuple(e.message for e in result.errors)
        )
    # Named once valid: the id hashes the body, whose numbers validation has bounded (a
    # number typed beyond 64 bits is refused there, and orjson cannot write it).
    return replace(result, id=sms_report_id(ctx.monitor_id, match.station_id, body, observed))
