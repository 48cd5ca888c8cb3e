"""Untrusted report payloads (JSON-shaped) to `events.Report`, or every problem with its field.

Pure: the monitor, the station registry and the time are handed in. The protobuf form is
first turned into the same shape by `codec.report_submissions_from_proto`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.common.contracts import events as ev
from services.common.infra.settings import ReportingWindow
from services.ingest.characters import control_character
from services.ingest.fields import FieldError, Fields, check_count, type_name

ID_PATTERN = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
ITEM_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
# Evidence photos are named by the SHA-256 of their bytes (POST /v1/evidence answers it).
EVIDENCE_ID_PATTERN = re.compile(r"[0-9a-f]{64}")
BODIES = ("checklist", "turnout", "incident", "protocol")
ENVELOPE = ("id", "station_id", "observed_at", *BODIES)
# Every field is bounded, so that the largest report validation accepts is far below the most
# Kafka takes in one message (producer.MAX_MESSAGE_BYTES; tests/unit/ingest/test_limits.py
# derives that report from validation itself and measures it).
MAX_EVIDENCE = 10
MAX_URL = 2048
MAX_PARTIES = 100
# Party and candidate names are data, written as the commission prints them: the longest in the
# real elections replayed (tests/data_checks/test_contestant_names.py) is 79 characters (a 2011
# Russian party), Bulgaria registers coalitions under 113. 200 leaves room; a report with 100 such
# names stays far below the Kafka message limit.
MAX_NAME_CHARS = 200
MAX_ANSWERS = 100  # checklist questions; the standard forms have 7
MAX_NOTE = 2000
MAX_DESCRIPTION = 4000


@dataclass(frozen=True, slots=True)
class Context:
    """Who is reporting, what stations exist (id -> registered voters), and when it is."""

    monitor_id: str
    monitor_stations: frozenset[str]
    registered: Mapping[str, int]
    now: datetime
    channel: ev.Channel = ev.Channel.HTTP
    future_tolerance: timedelta = timedelta(minutes=5)
    window: ReportingWindow | None = None  # when reports may have been observed
    # observed_at - now lies within these, once per request: a report costs one subtraction
    # and two comparisons of timedeltas (comparing datetimes of two zones costs several times that).
    earliest: timedelta = field(init=False)
    latest: timedelta = field(init=False)

    def __post_init__(self) -> None:
        window, tolerance = self.window, self.future_tolerance
        earliest = timedelta.min if window is None else window.opens_at - self.now
        latest = tolerance if window is None else min(tolerance, window.closes_at - self.now)
        object.__setattr__(self, "earliest", earliest)
        object.__setattr__(self, "latest", latest)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A report that was refused; `id` when the payload carried a usable one."""

    id: str | None
    errors: tuple[FieldError, ...]

    @property
    def forbidden(self) -> bool:
        """Only the station assignment is wrong: the monitor may not report for it (403)."""
        return all(e.code == "station_not_assigned" for e in self.errors)


def validate_report(raw: object, ctx: Context) -> ev.Report | Rejected:
    """Checks one report payload against the registry and the monitor's assignments."""
    if not isinstance(raw, dict):
        return Rejected(
            None, (FieldError("", "not_an_object", f"a report must be an object, got {type_name(raw)}"),)
        )
    errors: list[FieldError] = []
    f = Fields(raw, "", errors)
    f.reject_unknown(ENVELOPE)
    report_id = _report_id(f)
    station_id = _station(f, ctx)
    observed_at = _observed_at(f, ctx)
    present = [name for name in BODIES if raw.get(name) is not None]
    body: ev.ReportBody | None = None
    if len(present) != 1:
        found = ", ".join(present) if present else "none"
        errors.append(
            FieldError("", "one_body", f"exactly one of {', '.join(BODIES)} is required; found {found}")
        )
    else:
        sub = f.obj_field(present[0])
        if sub is not None:
            body = _BODY_READERS[present[0]](sub)
    if errors or report_id is None or station_id is None or observed_at is None or body is None:
        return Rejected(report_id, tuple(errors))
    flags: set[ev.ReportFlag] = set()
    if isinstance(body, ev.TurnoutUpdate) and body.ballots_issued > ctx.registered[station_id]:
        flags.add(ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED)
    return ev.Report(
        id=report_id,
        station_id=station_id,
        monitor_id=ctx.monitor_id,
        channel=ctx.channel,
        observed_at=observed_at,
        received_at=ctx.now,
        body=body,
        flags=frozenset(flags),
    )


def _report_id(f: Fields) -> str | None:
    value = f.string("id", max_len=128)
    if value is not None and not ID_PATTERN.fullmatch(value):
        f.fail("id", "bad_id", "must be 1-128 characters of letters, digits and . _ : - (a UUID is best)")
        return None
    return value


def _station(f: Fields, ctx: Context) -> str | None:
    value = f.string("station_id", max_len=64)
    if value is None:
        return None
    if value not in ctx.registered:
        f.fail("station_id", "unknown_station", f"no polling station {value!r} in the registry")
        return None
    if value not in ctx.monitor_stations:
        f.fail("station_id", "station_not_assigned", f"you are not assigned to station {value!r}")
        return None
    return value


def _observed_at(f: Fields, ctx: Context) -> datetime | None:
    value = f.string("observed_at", max_len=64)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        f.fail("observed_at", "bad_time", f"{value!r} is not an ISO 8601 time like 2026-03-01T10:00:00+06:00")
        return None
    if when.tzinfo is None or when.utcoffset() is None:
        f.fail("observed_at", "timezone_missing", "must carry a timezone offset, e.g. +06:00 or Z")
        return None
    since = when - ctx.now
    if since > ctx.future_tolerance:
        ahead = int(since.total_seconds())
        allowed = int(ctx.future_tolerance.total_seconds())
        message = f"is {ahead} s ahead of the server's clock (at most {allowed} s); check the phone's time"
        f.fail("observed_at", "in_future", message)
        return None
    window = ctx.window
    if window is not None and not ctx.earliest <= since <= ctx.latest:
        opens, closes = window.opens_at.isoformat(), window.closes_at.isoformat()
        message = f"{value} is outside the election's reporting window, {opens} to {closes}"
        f.fail("observed_at", "outside_window", message)
        return None
    if when.year < 2000:
        f.fail("observed_at", "too_old", f"year {when.year} cannot be right")
        return None
    return when


def _checklist(f: Fields) -> ev.Checklist | None:
    f.reject_unknown(("phase", "answers", "note"))
    phase_raw = f.string("phase", max_len=32)
    phase: ev.ChecklistPhase | None = None
    if phase_raw is not None:
        try:
            phase = ev.ChecklistPhase(phase_raw.lower())
        except ValueError:
            options = ", ".join(p.value for p in ev.ChecklistPhase)
            f.fail("phase", "unknown_phase", f"{phase_raw!r} is not a checklist phase ({options})")
    note = f.text("note", max_len=MAX_NOTE)
    answers_f = f.obj_field("answers")
    answers: dict[str, bool] = {}
    if answers_f is not None:
        if not answers_f.obj:
            f.fail("answers", "empty", 'needs at least one answer, e.g. {"station_ready": true}')
        if len(answers_f.obj) > MAX_ANSWERS:
            f.fail("answers", "too_many", f"at most {MAX_ANSWERS} answers, got {len(answers_f.obj)}")
            return None
        for key in answers_f.obj:
            if not ITEM_PATTERN.fullmatch(str(key)):
                answers_f.fail(str(key), "bad_item", "checklist items are lower_case_with_underscores")
                continue
            value = answers_f.boolean(str(key))
            if value is not None:
                answers[str(key)] = value
    if phase is None or note is None or answers_f is None or len(answers) != len(answers_f.obj):
        return None
    return ev.Checklist(phase, dict(sorted(answers.items())), note)


def _turnout(f: Fields) -> ev.TurnoutUpdate | None:
    f.reject_unknown(("ballots_issued", "home_voting_applications"))
    issued = f.count("ballots_issued")
    home = f.count("home_voting_applications", required=False)
    if issued is None or home is None:
        return None
    return ev.TurnoutUpdate(issued, home)


def _incident(f: Fields) -> ev.Incident | None:
    f.reject_unknown(("violation", "description", "evidence_urls", "evidence_ids"))
    raw = f.string("violation", max_len=64)
    violation: ev.ViolationType | None = None
    if raw is not None:
        try:
            violation = ev.ViolationType(raw.lower())
        except ValueError:
            f.fail("violation", "unknown_violation", f"{raw!r} is not one of: {', '.join(ev.ViolationType)}")
    description = f.text("description", max_len=MAX_DESCRIPTION)
    urls = _evidence(f)
    photos = _evidence_ids(f)
    if violation is None or description is None or urls is None or photos is None:
        return None
    return ev.Incident(violation, description, urls, photos)


def _evidence(f: Fields) -> tuple[str, ...] | None:
    raw: Any = f.obj.get("evidence_urls")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.fail("evidence_urls", "not_a_list", f"must be a list of links, got {type_name(raw)}")
        return None
    if len(raw) > MAX_EVIDENCE:
        f.fail("evidence_urls", "too_many", f"at most {MAX_EVIDENCE} links, got {len(raw)}")
        return None
    urls: list[str] = []
    for i, url in enumerate(raw):
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
            message = f"must be an http(s) link of at most {MAX_URL} characters"
            f.fail(f"evidence_urls[{i}]", "bad_url", message)
        elif bad := control_character(url):
            f.fail(f"evidence_urls[{i}]", "control_character", f"contains {bad}, a control character")
        else:
            urls.append(url)
    return tuple(urls) if len(urls) == len(raw) else None


def _evidence_ids(f: Fields) -> tuple[str, ...] | None:
    raw: Any = f.obj.get("evidence_ids")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.fail("evidence_ids", "not_a_list", f"must be a list of photo ids, got {type_name(raw)}")
        return None
    if len(raw) > MAX_EVIDENCE:
        f.fail("evidence_ids", "too_many", f"at most {MAX_EVIDENCE} photos, got {len(raw)}")
        return None
    ids: list[str] = []
    for i, photo in enumerate(raw):
        if isinstance(photo, str) and EVIDENCE_ID_PATTERN.fullmatch(photo):
            ids.append(photo)
        else:
            message = "must be a photo id from POST /v1/evidence (64 lower-case hex digits)"
            f.fail(f"evidence_ids[{i}]", "bad_evidence_id", message)
    return tuple(ids) if len(ids) == len(raw) else None


_PROTOCOL_COUNTS = (
    "registered_voters",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "valid_ballots",
    "invalid_ballots",
)


def _protocol(f: Fields) -> ev.FinalProtocol | None:
    """Counts are checked to be counts; arithmetic inconsistencies are the aggregator's signal."""
    f.reject_unknown((*_PROTOCOL_COUNTS, "votes", "copy_received", "home_ballots_issued", "evidence_ids"))
    counts = {name: f.count(name) for name in _PROTOCOL_COUNTS}
    photos = _evidence_ids(f)
    home = f.count("home_ballots_issued", required=False)
    copy = f.boolean("copy_received")
    votes_f = f.obj_field("votes")
    votes: dict[str, int] = {}
    if votes_f is not None:
        if len(votes_f.obj) > MAX_PARTIES:
            many = len(votes_f.obj)
            f.fail("votes", "too_many", f"at most {MAX_PARTIES} parties or candidates, got {many}")
            return None
        for key, value in votes_f.obj.items():
            if not 1 <= len(str(key)) <= MAX_NAME_CHARS:
                votes_f.fail(
                    str(key), "bad_party", f"party or candidate names are 1-{MAX_NAME_CHARS} characters"
                )
                continue
            if bad := control_character(str(key)):
                votes_f.fail(str(key), "control_character", f"contains {bad}, a control character")
                continue
            n = check_count(value, votes_f.at(str(key)), f.errors)
            if n is not None:
                votes[str(key)] = n
    if any(v is None for v in counts.values()) or home is None or copy is None or votes_f is None:
        return None
    if photos is None:
        return None
    if len(votes) != len(votes_f.obj) or len(votes_f.obj) > MAX_PARTIES:
        return None
    c = {k: v or 0 for k, v in counts.items()}
    return ev.FinalProtocol(
        registered_voters=c["registered_voters"],
        ballots_received=c["ballots_received"],
        ballots_issued=c["ballots_issued"],
        ballots_cast=c["ballots_cast"],
        valid_ballots=c["valid_ballots"],
        invalid_ballots=c["invalid_ballots"],
        votes=dict(sorted(votes.items())),
        copy_received=copy,
        home_ballots_issued=home,
        evidence_ids=photos,
    )


_BODY_READERS: dict[str, Callable[[Fields], ev.ReportBody | None]] = {
    "checklist": _checklist,
    "turnout": _turnout,
    "incident": _incident,
    "protocol": _protocol,
}
