"""Compact bytes for the faust tables: station state and alert books (orjson, short keys).

Kept apart from the domain so the domain stays free of any wire format; versioned by "v".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from services.aggregator.domain.alerts import AlertBook
from services.aggregator.domain.station_state import (
    ChecklistRecord,
    IncidentRecord,
    ProtocolRecord,
    StationState,
    TurnoutPoint,
)
from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError

VERSION = 1


def _ts(d: datetime | None) -> float | None:
    return None if d is None else d.timestamp()


def _dt(x: float | None) -> datetime | None:
    return None if x is None else datetime.fromtimestamp(x, UTC)


def _alert(a: ev.Alert) -> list[Any]:
    return [
        a.id, a.rule, a.severity.value, a.state.value, a.transition.value, a.station_id, a.region_id,
        a.value, a.threshold, a.message, list(a.report_ids), _ts(a.opened_at), _ts(a.updated_at),
        _ts(a.resolved_at), a.confidence, a.version, [[t.key, t.params] for t in a.texts],
    ]  # fmt: skip


def _alert_back(x: list[Any]) -> ev.Alert:
    opened, updated = datetime.fromtimestamp(x[11], UTC), datetime.fromtimestamp(x[12], UTC)
    return ev.Alert(
        id=x[0], rule=x[1], severity=ev.Severity(x[2]), state=ev.AlertState(x[3]),
        transition=ev.AlertTransition(x[4]), station_id=x[5], region_id=x[6], value=x[7],
        threshold=x[8], message=x[9], report_ids=tuple(x[10]), opened_at=opened, updated_at=updated,
        resolved_at=_dt(x[13]), confidence=x[14], version=x[15],
        # States written before alerts had texts end at the version.
        texts=tuple(ev.AlertText(k, p) for k, p in x[16]) if len(x) > 16 else (),
    )  # fmt: skip


def book_to_obj(book: AlertBook) -> dict[str, Any]:
    return {"o": {r: _alert(a) for r, a in book.open.items()}, "n": book.occurrences}


def book_from_obj(x: dict[str, Any]) -> AlertBook:
    return AlertBook({r: _alert_back(a) for r, a in x["o"].items()}, dict(x["n"]))


def encode_book(book: AlertBook) -> bytes:
    return orjson.dumps(book_to_obj(book))


def decode_book(data: bytes) -> AlertBook:
    try:
        return book_from_obj(orjson.loads(data))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise DecodeError(f"alert book: {exc}") from exc


def _protocol(p: ProtocolRecord) -> list[Any]:
    f = p.protocol
    return [
        p.at, p.report_id, f.registered_voters, f.ballots_received, f.ballots_issued, f.ballots_cast,
        f.valid_ballots, f.invalid_ballots, dict(f.votes), f.copy_received, f.home_ballots_issued,
    ]  # fmt: skip


def _protocol_back(x: list[Any]) -> ProtocolRecord:
    protocol = ev.FinalProtocol(
        registered_voters=x[2], ballots_received=x[3], ballots_issued=x[4], ballots_cast=x[5],
        valid_ballots=x[6], invalid_ballots=x[7], votes=codec.counts(x[8]), copy_received=x[9],
        home_ballots_issued=x[10],
    )  # fmt: skip
    return ProtocolRecord(x[0], x[1], protocol)


def encode_state(s: StationState) -> bytes:
    return orjson.dumps(
        {
            "v": VERSION,
            "id": s.station_id,
            "s": s.seen,
            "r": s.reports,
            "l": s.last_at,
            "t": [[t, p.ballots, p.home, p.report_id] for t, p in s.turnout.items()],
            "i": [[r.at, r.violation, r.report_id, r.monitor_id] for r in s.incidents],
            "it": s.incidents_total,
            "p": None if s.protocol is None else _protocol(s.protocol),
            "a": book_to_obj(s.alerts),
            "c": {phase: [c.at, c.report_id, c.answers] for phase, c in s.checklists.items()},
        }
    )


def decode_state(data: bytes) -> StationState:
    try:
        x = orjson.loads(data)
        if x.get("v") != VERSION:
            raise DecodeError(f"station state version {x.get('v')!r}, expected {VERSION}")
        return StationState(
            station_id=x["id"],
            seen=dict(x["s"]),
            reports=x["r"],
            last_at=x["l"],
            turnout={t: TurnoutPoint(b, h, rid) for t, b, h, rid in x["t"]},
            incidents=[IncidentRecord(*r) for r in x["i"]],
            incidents_total=dict(x["it"]),
            protocol=None if x["p"] is None else _protocol_back(x["p"]),
            alerts=book_from_obj(x["a"]),
            # States written before checklists were kept have none.
            checklists={phase: ChecklistRecord(*c) for phase, c in x.get("c", {}).items()},
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise DecodeError(f"station state: {exc}") from exc
