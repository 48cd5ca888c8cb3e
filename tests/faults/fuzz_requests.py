"""Requests to throw at ingest: schemathesis cases generated from its own /openapi.json (reports
valid and invalid, SMS webhooks), aimed at the monitor's real stations often enough to get past
the first checks, and the hostile inputs that once got through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from tests.faults.fuzz_answers import NO_ANSWER, Tally

# Generated cases per run; ~20 ms each against two ingest workers on the shared machine.
RUNS = (
    ("/v1/reports", GenerationMode.POSITIVE, 250),
    ("/v1/reports", GenerationMode.NEGATIVE, 250),
    ("/v1/sms", GenerationMode.POSITIVE, 150),
)
SMS_FORMS = ("T", "V", "R", "O", "C", "P", "HELP", "?")
SMS_WORDS = ("H12", "B450", "BS", "OT", "COPY", "NOCOPY", "YYNY", "1Y", "R1500", "P1=500", "%00", "\x00")


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    phone: str
    webhook_secret: str
    stations: tuple[str, ...]

    def outage(self) -> bool:
        """Whether a dependency is down now (the only excuse for a 503)."""
        try:
            return httpx.get(f"{self.url}/readyz", timeout=10).status_code != 200
        except httpx.TransportError:
            return True


def _recent(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def sms_texts(stations: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Texts a phone might send: noise, and the grammar's words with numbers of any size."""
    word = st.one_of(
        st.integers(0, 2**70).map(str),
        st.sampled_from(SMS_WORDS),
        st.text(max_size=12),
        st.sampled_from(stations),
    )
    shaped = st.builds(
        lambda form, station, words: " ".join([form, station, *words]),
        st.sampled_from(SMS_FORMS),
        st.sampled_from(stations),
        st.lists(word, max_size=8),
    )
    return st.one_of(st.text(max_size=300), shaped)


def _aim(case: Case[Any], data: st.DataObject, target: Target) -> tuple[dict[str, str], dict[str, str]]:
    """Points some generated reports at the monitor's stations, at a recent time, with a fresh id
    (else nearly all stop at `unknown_station`); returns the headers and query parameters that
    authenticate most requests."""
    headers = {"Authorization": f"Bearer {target.token}"} if data.draw(st.integers(0, 9)) else {}
    if case.path == "/v1/sms":
        params = {"key": target.webhook_secret} if data.draw(st.integers(0, 9)) else {}
        if data.draw(st.integers(0, 4)):
            case.body = {"from": target.phone, "text": data.draw(sms_texts(target.stations))}
        return headers, params
    body: Any = case.body
    items = body["reports"] if isinstance(body, dict) and isinstance(body.get("reports"), list) else [body]
    for item in items:
        if isinstance(item, dict) and data.draw(st.booleans()):
            item["station_id"] = data.draw(st.sampled_from(target.stations))
            item["observed_at"] = _recent(data.draw(st.integers(0, 600)))
            item["id"] = uuid.uuid4().hex
    return headers, {}


def fuzz(target: Target, tally: Tally) -> None:
    """Runs every generated case of RUNS against ingest, recording each answer in `tally`."""
    schema = schemathesis.openapi.from_dict(httpx.get(f"{target.url}/openapi.json", timeout=30).json())
    for path, mode, examples in RUNS:
        _run(schema[path]["POST"].as_strategy(generation_mode=mode), examples, target, tally)


def _run(cases: st.SearchStrategy[Case[Any]], examples: int, target: Target, tally: Tally) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # no shrinking: answers are only recorded
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def probe(case: Case[Any], data: st.DataObject) -> None:
        headers, params = _aim(case, data, target)
        request = f"{case.path} {case.media_type} {case.headers} {case.query} {case.body!r}"
        route = case.path.rsplit("/", 1)[1]
        try:
            response = case.call(base_url=target.url, headers=headers, params=params, timeout=30)
        except OSError as exc:  # requests' errors: the connection dropped without an answer
            tally.record(route, NO_ANSWER, {}, repr(exc).encode(), request, target.outage)
            return
        tally.record(route, response.status_code, response.headers, response.content, request, target.outage)

    probe()


def hostile(target: Target) -> list[tuple[str, str, dict[str, Any]]]:
    """(what, route, JSON body): text PostgreSQL cannot store, unbounded sizes, a report from
    years ago, an SMS number past 64 bits. Each must get a 4xx, or be accepted and then counted."""
    station = target.stations[0]

    def report(**body: Any) -> dict[str, Any]:
        return {"id": uuid.uuid4().hex, "station_id": station, "observed_at": _recent(1), **body}

    protocol = {
        "registered_voters": 1000, "ballots_received": 1000, "ballots_issued": 10, "ballots_cast": 10,
        "valid_ballots": 10, "invalid_ballots": 0, "votes": {"P01": 10}, "copy_received": True,
    }  # fmt: skip
    return [
        ("a recent turnout", "reports", report(turnout={"ballots_issued": 10})),
        (
            "U+0000 in a description",
            "reports",
            report(incident={"violation": "other", "description": "a\x00b"}),
        ),
        (
            "U+0000 in a checklist note",
            "reports",
            report(checklist={"phase": "opening", "answers": {"station_ready": True}, "note": "a\x00b"}),
        ),
        ("U+0000 in a party code", "reports", report(protocol={**protocol, "votes": {"P\x0001": 10}})),
        (
            "80,000 checklist answers",
            "reports",
            report(checklist={"phase": "opening", "answers": {f"item_{i}": True for i in range(80_000)}}),
        ),
        (
            "60,000 parties",
            "reports",
            report(protocol={**protocol, "votes": {f"P{i:05d}": 0 for i in range(60_000)}}),
        ),
        (
            "a turnout from 2001",
            "reports",
            report(turnout={"ballots_issued": 5}, observed_at="2001-03-01T10:00:00+06:00"),
        ),
        (
            "an SMS turnout of 2^66",
            "sms",
            {"from": target.phone, "text": f"T {station} 99999999999999999999"},
        ),
        ("U+0000 in an SMS", "sms", {"from": target.phone, "text": f"V {station} OT a\x00b"}),
    ]


def send_hostile(target: Target, tally: Tally) -> None:
    for what, route, body in hostile(target):
        # A connection of its own each: one probe's dropped connection must not fail the next.
        with httpx.Client(base_url=target.url, timeout=60) as client:
            if route == "reports":
                headers = {"Authorization": f"Bearer {target.token}"}
                request = client.build_request("POST", "/v1/reports", json=body, headers=headers)
            else:
                params = {"key": target.webhook_secret}
                request = client.build_request("POST", "/v1/sms", json=body, params=params)
            try:
                response = client.send(request)
            except httpx.TransportError as exc:
                tally.record(route, NO_ANSWER, {}, repr(exc).encode(), what, target.outage)
                continue
        tally.record(route, response.status_code, response.headers, response.content, what, target.outage)
