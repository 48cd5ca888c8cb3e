"""What ingest must answer whatever it is sent (docs/ingest.md): never a 5xx other than 503, and a
503 only while a dependency is really down; every refused report named with the field and the
reason; a whole-request refusal with a code and a message. Tallies the probes and keeps each
acknowledged report id for the read-model check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

REPORT_STATUSES = frozenset({202, 400, 401, 403, 413, 415, 422, 503})
SMS_STATUSES = frozenset({200, 400, 401, 413, 503})
WITH_RESULTS = frozenset({202, 403, 422, 503})
NO_ANSWER = 0  # the connection closed without an answer


@dataclass
class Tally:
    probes: int = 0
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (route, status)
    violations: list[str] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)

    @property
    def server_errors(self) -> int:
        """Answers >= 500 (503 included: each is a violation unless a dependency was down) and
        connections closed without an answer."""
        return sum(n for (_, status), n in self.statuses.items() if status >= 500 or status == NO_ANSWER)

    def record(self, route: str, status: int, headers: Mapping[str, Any], body: bytes, request: str,
               outage: Callable[[], bool]) -> None:  # fmt: skip
        self.probes += 1
        self.statuses[route, status] += 1
        check = _check_reports if route == "reports" else _check_sms
        problems = _check_server_error(status, headers, outage)
        if status != NO_ANSWER:
            problems += check(status, body, self.acknowledged)
        self.violations += [f"{route} {status}: {p}; sent {request[:300]}" for p in problems]


def _check_server_error(status: int, headers: Mapping[str, Any], outage: Callable[[], bool]) -> list[str]:
    if status == NO_ANSWER:
        return ["no answer: the connection was closed"]
    if status < 500:
        return []
    if status != 503:
        return ["a server error"]
    problems = [] if outage() else ["503 while ingest's /readyz said Kafka and PostgreSQL were up"]
    if "retry-after" not in {k.lower() for k in headers}:
        problems.append("503 without Retry-After")
    return problems


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _check_reports(status: int, body: bytes, acknowledged: set[str]) -> list[str]:
    if status not in REPORT_STATUSES:
        return [f"status {status} is none of {sorted(REPORT_STATUSES)}"]
    answer = _json(body)
    if not isinstance(answer, dict):
        return [f"the answer is not a JSON object: {body[:200]!r}"]
    if status not in WITH_RESULTS:
        error = answer.get("error")
        if not isinstance(error, dict) or not error.get("code") or not error.get("message"):
            return [f"no error code and message: {answer}"]
        return []
    problems = []
    for result in answer.get("results", []):
        if result.get("status") in ("accepted", "duplicate"):
            acknowledged.add(result["id"])
        elif result.get("status") == "rejected":
            errors = result.get("errors") or []
            if not errors or not all(_names_field(e) for e in errors):
                problems.append(f"a rejected report without a field path and code: {result}")
    if status != 503 and not answer.get("results"):
        problems.append(f"no per-report results: {answer}")
    return problems


def _names_field(error: object) -> bool:
    """A field path and a code; the path "" is the report itself (`one_body`), "reports[2]" in a batch."""
    return isinstance(error, dict) and isinstance(error.get("field"), str) and bool(error.get("code"))


def _check_sms(status: int, body: bytes, acknowledged: set[str]) -> list[str]:
    if status not in SMS_STATUSES:
        return [f"status {status} is none of {sorted(SMS_STATUSES)}"]
    answer = _json(body)
    if status == 200 and isinstance(answer, dict):
        if answer.get("status") in ("accepted", "duplicate") and answer.get("report_id"):
            acknowledged.add(answer["report_id"])
        if not answer.get("reply"):
            return [f"no reply for the monitor: {answer}"]
    return []
