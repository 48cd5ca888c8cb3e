"""A parsed SMS command, for a known monitor, to a validated `events.Report` (pure).

The station number is resolved among the monitor's own stations, the command becomes the
same JSON shape HTTP clients send, and `validation` applies the same checks to both channels.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import orjson

from services.common.contracts import events as ev
from services.ingest.fields import MAX_COUNT, FieldError
from services.ingest.sms_commands import (
    SmsChecklist,
    SmsError,
    SmsIncident,
    SmsProtocol,
    SmsTurnout,
    StationRef,
)
from services.ingest.sms_grammar import QUOTED
from services.ingest.sms_letters import prefix_matches
from services.ingest.validation import MAX_PARTIES, Context, Rejected, validate_report

# A resend of the same text within this bucket is the same report (docs/sms.md).
RESEND_BUCKET = timedelta(minutes=30)
_UNNAMED = "sms-unnamed"  # the id while the report is validated
_STATION_ID = re.compile(r"([A-Za-z]*)[-_ ]?0*(\d+)")
_LIMITS = {"impossible": MAX_COUNT, "too_many": MAX_PARTIES}
_SHOWN = 10  # digits of a number quoted back (a reply stays one SMS)

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
        if int(m.group(2)) == ref.number and (not ref.prefix or prefix_matches(ref.prefix, m.group(1))):
            found.append(station_id)
    if len(found) == 1:
        return SmsMatch(found[0])
    if not found:
        mine = sorted(stations)
        yours = ", ".join(mine[:2]) + (f" +{len(mine) - 2}" if len(mine) > 2 else "")
        params = {"station": str(ref), "yours": yours or "-"}
        return SmsMatch(None, SmsError("station_not_assigned", params=params))
    params = {"station": str(ref), "several": ", ".join(found[:3]), "first": found[0]}
    return SmsMatch(None, SmsError("ambiguous_station", params=params))


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
        return SmsError(result.errors[0].code, params=_error_params(result.errors[0], payload, ctx))
    # Named once valid: the id hashes the body, whose numbers validation has bounded (a
    # number typed beyond 64 bits is refused there, and orjson cannot write it).
    return replace(result, id=sms_report_id(ctx.monitor_id, match.station_id, body, observed))


def _error_params(error: FieldError, payload: Mapping[str, object], ctx: Context) -> dict[str, str]:
    """What a reply may quote about a validation error (the catalog words it per language)."""
    name = error.field.rsplit(".", 1)[-1]
    params = {"field": name, "token": name[:QUOTED], "station": str(payload["station_id"])}
    params["time"] = str(payload["observed_at"])
    if ctx.window is not None:
        params |= {"opens": ctx.window.opens_at.isoformat(), "closes": ctx.window.closes_at.isoformat()}
    value: object = payload
    for part in error.field.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, Mapping):
        params["got"] = str(len(value))
    elif value is not None:
        shown = str(value)
        params["value"] = shown if len(shown) <= _SHOWN else shown[:_SHOWN] + "..."
    params["max"] = str(_LIMITS.get(error.code, ""))
    return params
