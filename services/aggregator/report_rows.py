"""A station's reports read back from PostgreSQL (`reports`, as sink.write_reports wrote them),
for recomputing the station when a coordinator's decision moves one in or out of the figures.

The row's `body` is the event's body as orjson wrote it (enums by value); this module turns it
back into event values, and rewrites the station's turnout series from the reports that count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from services.aggregator.domain.station_rules import pct
from services.common.contracts import events as ev
from services.common.infra.db import Conn
from services.common.infra.errors import DecodeError

# A station's reports in the order the station agent applied them (its partition's offsets).
_COUNTING = """
    SELECT id, station_id, monitor_id, channel, kind, observed_at, received_at, flags, body
    FROM reports WHERE station_id = $1 AND verification <> ALL($2::text[])
    ORDER BY kafka_partition NULLS LAST, kafka_offset NULLS LAST, id
"""


def _body(kind: str, x: Mapping[str, Any]) -> ev.ReportBody:
    if kind == ev.ReportKind.TURNOUT:
        return ev.TurnoutUpdate(int(x["ballots_issued"]), int(x.get("home_voting_applications", 0)))
    if kind == ev.ReportKind.INCIDENT:
        return ev.Incident(
            ev.ViolationType(x["violation"]),
            x.get("description", ""),
            tuple(x.get("evidence_urls", ())),
            tuple(x.get("evidence_ids", ())),
        )
    if kind == ev.ReportKind.CHECKLIST:
        answers = {str(k): bool(v) for k, v in sorted(x["answers"].items())}
        return ev.Checklist(ev.ChecklistPhase(x["phase"]), answers, x.get("note", ""))
    if kind == ev.ReportKind.PROTOCOL:
        return ev.FinalProtocol(
            registered_voters=int(x["registered_voters"]),
            ballots_received=int(x["ballots_received"]),
            ballots_issued=int(x["ballots_issued"]),
            ballots_cast=int(x["ballots_cast"]),
            valid_ballots=int(x["valid_ballots"]),
            invalid_ballots=int(x["invalid_ballots"]),
            votes={str(k): int(v) for k, v in x["votes"].items()},
            copy_received=bool(x["copy_received"]),
            home_ballots_issued=int(x.get("home_ballots_issued", 0)),
            evidence_ids=tuple(x.get("evidence_ids", ())),
        )
    raise DecodeError(f"unknown report kind {kind!r}")


def report_from_row(row: Mapping[str, Any]) -> ev.Report:
    """A `reports` row as the event it was; DecodeError if the row is not one."""
    body = row["body"]
    try:
        parsed = json.loads(body) if isinstance(body, str) else body
        return ev.Report(
            id=row["id"],
            station_id=row["station_id"],
            monitor_id=row["monitor_id"],
            channel=ev.Channel(row["channel"]),
            observed_at=row["observed_at"],
            received_at=row["received_at"],
            body=_body(row["kind"], parsed),
            flags=frozenset(ev.ReportFlag(f) for f in row["flags"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"report {row.get('id')!r}: {exc}") from exc


async def counting_reports(conn: Conn, station_id: str) -> list[ev.Report]:
    """The station's reports that count in the figures (neither rejected nor quarantined)."""
    rows = await conn.fetch(_COUNTING, station_id, sorted(ev.OUT_OF_FIGURES))
    return [report_from_row(dict(r)) for r in rows]


async def rewrite_turnout_series(
    conn: Conn, station_id: str, reports: Sequence[ev.Report], registered_voters: int
) -> None:
    """The station's turnout chart from `reports` only (the larger count per minute wins, as
    sink.write_reports keeps it)."""
    points: dict[Any, int] = {}
    for r in reports:
        if isinstance(r.body, ev.TurnoutUpdate):
            points[r.observed_at] = max(points.get(r.observed_at, -1), r.body.ballots_issued)
    async with conn.transaction():
        await conn.execute("DELETE FROM turnout_series WHERE station_id = $1", station_id)
        await conn.executemany(
            """INSERT INTO turnout_series (station_id, observed_at, ballots_issued, turnout_pct)
               VALUES ($1, $2, $3, $4)""",
            [
                (station_id, when, ballots, round(pct(ballots, registered_voters), 4))
                for when, ballots in sorted(points.items())
            ],
        )
