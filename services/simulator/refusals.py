"""Why ingest refused reports: grouped by error code and field, with a count and one example each.

A replay or simulation that loses reports must say which and why (then exit non-zero), not
only how many: ingest answers every refused report with its errors (docs/ingest.md), and a
whole request it refuses with one error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# "reports[12].protocol.votes.X" and "evidence_urls[3]": the batch position and list indexes
# say nothing about the cause, so they do not split a group.
_BATCH_PREFIX = re.compile(r"^reports\[\d+\]\.?")
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class Example:
    report_id: str | None
    message: str


@dataclass(slots=True)
class Group:
    count: int
    example: Example


def field_group(field: str) -> str:
    """The field without the batch position or list indexes (`reports[3].x[2]` -> `x[]`)."""
    return _INDEX.sub("[]", _BATCH_PREFIX.sub("", field))


class Refusals:
    """Refused reports, by (code, field), each group with its first example."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], Group] = {}
        self.reports = 0  # reports refused (one may carry several errors)

    def add(self, code: str, field: str, example: Example, count: int = 1) -> None:
        key = (code, field_group(field))
        held = self.groups.get(key)
        if held is None:
            self.groups[key] = Group(count, example)
        else:
            held.count += count

    def refused(self, code: str, field: str, example: Example) -> None:
        """One report refused for one reason."""
        self.reports += 1
        self.add(code, field, example)

    def refused_result(self, result: Mapping[str, Any]) -> None:
        """One entry of ingest's `results` with status `rejected`."""
        self.reports += 1
        report_id = result.get("id")
        errors = result.get("errors") or [{"code": "rejected", "field": "", "message": "no reason given"}]
        for error in errors:
            self.add(
                str(error.get("code", "?")),
                str(error.get("field", "")),
                Example(report_id, str(error.get("message", ""))),
            )

    def refused_request(self, status: int, body: Any, reports: int, first_id: str | None) -> None:
        """A request refused whole (401, 413, ...): every report in it, under the one error."""
        self.reports += reports
        error = body.get("error") if isinstance(body, dict) else None
        code = str(error.get("code", "")) if isinstance(error, dict) else ""
        message = str(error.get("message", "")) if isinstance(error, dict) else str(body)[:200]
        self.add(f"http_{status}" + (f" {code}" if code else ""), "", Example(first_id, message), reports)

    def merge(self, other: Refusals) -> None:
        self.reports += other.reports
        for (code, field), group in other.groups.items():
            self.add(code, field, group.example, group.count)

    def __bool__(self) -> bool:
        return self.reports > 0

    def lines(self) -> Iterable[str]:
        """A summary for people: the largest groups first, each with its example."""
        yield f"{self.reports:,} reports refused by ingest:"
        for (code, field), group in sorted(self.groups.items(), key=lambda kv: (-kv[1].count, kv[0])):
            where = f" at {field}" if field else ""
            example = group.example
            of = f" (e.g. report {example.report_id})" if example.report_id else ""
            yield f"  {group.count:,} x {code}{where}: {example.message}{of}"
